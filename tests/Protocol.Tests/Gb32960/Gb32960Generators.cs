using CsCheck;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Gb32960;
using Ingest.Protocol.Gb32960.Bodies;
using Ingest.Protocol.Gb32960.InfoUnits;
using Ingest.Protocol.Primitives;

namespace Protocol.Tests.Gb32960;

/// <summary>CsCheck generators for valid GB/T 32960 frames of every command and info type, both editions.</summary>
public static class Gb32960Generators
{
    public static readonly Gen<Gb32960Edition> Edition = Gen.OneOf(Gb32960Edition.V2016, Gb32960Edition.V2025);

    public static Gen<ReadOnlyMemory<byte>> Bytes(int min, int max) => Gen.Byte.Array[min, max].Select(b => (ReadOnlyMemory<byte>)b);

    public static Gen<ReadOnlyMemory<byte>> Ascii(int length) => Gen.Byte[0x20, 0x7E].Array[length].Select(b => (ReadOnlyMemory<byte>)b);

    public static readonly Gen<GbTime> Time = Gen.Select(Gen.Byte, Gen.Byte, Gen.Byte, Gen.Byte, Gen.Byte, Gen.Byte,
        (y, mo, d, h, mi, s) => new GbTime(y, mo, d, h, mi, s));

    /// <summary>Identifiers the framer accepts: up to 17 printable ASCII characters, then 0x00 padding.</summary>
    public static readonly Gen<Vin> Identifier =
        Gen.Select(Gen.Byte[0x20, 0x7E].Array[Vin.Length], Gen.Int[0, Vin.Length], (b, n) =>
        {
            b.AsSpan(n).Clear();
            return Vin.Read(b);
        });

    // ---------------------------------------------------------------- info units

    public static Gen<VehicleData> VehicleData(Gb32960Edition e) =>
        Gen.Select(
            Gen.Select(Gen.Byte, Gen.Byte, Gen.Byte, Gen.UShort, Gen.UInt, Gen.UShort, Gen.UShort),
            Gen.Select(Gen.Byte, Gen.Byte, Gen.Byte, Gen.UShort, Gen.Byte, Gen.Byte),
            (a, b) => new VehicleData
            {
                Edition = e,
                VehicleState = (VehicleState)a.Item1,
                ChargingState = (ChargingState)a.Item2,
                RunningMode = (RunningMode)a.Item3,
                SpeedRaw = a.Item4,
                OdometerRaw = a.Item5,
                TotalVoltageRaw = a.Item6,
                TotalCurrentRaw = a.Item7,
                SocRaw = b.Item1,
                DcDcState = (DcDcState)b.Item2,
                GearRaw = b.Item3,
                InsulationResistanceRaw = b.Item4,
                AcceleratorPedalRaw = e == Gb32960Edition.V2016 ? b.Item5 : (byte)0,
                BrakePedalRaw = e == Gb32960Edition.V2016 ? b.Item6 : (byte)0,
            });

    public static Gen<DriveMotors> DriveMotors(Gb32960Edition e) =>
        Gen.Select(Gen.Byte, Gen.Byte, Gen.Byte, Gen.UShort, Gen.UInt, Gen.Byte, Gen.UShort, Gen.UShort,
            (n, s, ct, sp, tq, mt, v, c) => new DriveMotor
            {
                Edition = e,
                Number = n,
                State = (MotorState)s,
                ControllerTemperatureRaw = ct,
                SpeedRaw = sp,
                TorqueRaw = e == Gb32960Edition.V2025 ? tq : (ushort)tq,
                MotorTemperatureRaw = mt,
                ControllerInputVoltageRaw = e == Gb32960Edition.V2016 ? v : (ushort)0,
                ControllerDcBusCurrentRaw = e == Gb32960Edition.V2016 ? c : (ushort)0,
            })
        .Array[0, 4].Select(m => new DriveMotors { Edition = e, Motors = m });

    public static readonly Gen<FuelCell> FuelCell =
        Gen.Select(Gen.Select(Gen.UShort, Gen.UShort, Gen.UShort, Bytes(0, 12)),
            Gen.Select(Gen.UShort, Gen.Byte, Gen.UShort, Gen.Byte, Gen.UShort, Gen.Byte, Gen.Byte),
            (a, b) => new FuelCell
            {
                VoltageRaw = a.Item1,
                CurrentRaw = a.Item2,
                FuelConsumptionRaw = a.Item3,
                ProbeTemperaturesRaw = a.Item4,
                HydrogenMaxTemperatureRaw = b.Item1,
                HydrogenMaxTemperatureProbe = b.Item2,
                HydrogenMaxConcentrationRaw = b.Item3,
                HydrogenMaxConcentrationSensor = b.Item4,
                HydrogenMaxPressureRaw = b.Item5,
                HydrogenMaxPressureSensor = b.Item6,
                HighVoltageDcDcState = (DcDcState)b.Item7,
            });

    public static Gen<Engine> Engine(Gb32960Edition e) =>
        Gen.Select(Gen.Byte, Gen.UShort, Gen.UShort, (s, rpm, f) => e == Gb32960Edition.V2025
            ? new Engine { Edition = e, CrankshaftSpeedRaw = rpm }
            : new Engine { Edition = e, State = (EngineState)s, CrankshaftSpeedRaw = rpm, FuelConsumptionRaw = f });

    public static Gen<Location> Location(Gb32960Edition e) =>
        Gen.Select(Gen.Byte, Gen.Byte, Gen.UInt, Gen.UInt, (s, c, lon, lat) => new Location
        {
            Edition = e,
            StatusRaw = s,
            CoordinateSystem = e == Gb32960Edition.V2025 ? (CoordinateSystem)c : 0,
            LongitudeRaw = lon,
            LatitudeRaw = lat,
        });

    public static readonly Gen<Extremes> Extremes =
        Gen.Select(Gen.Select(Gen.Byte, Gen.Byte, Gen.UShort, Gen.Byte, Gen.Byte, Gen.UShort),
            Gen.Select(Gen.Byte, Gen.Byte, Gen.Byte, Gen.Byte, Gen.Byte, Gen.Byte),
            (a, b) => new Extremes
            {
                MaxVoltageSubsystem = a.Item1,
                MaxVoltageCell = a.Item2,
                MaxCellVoltageRaw = a.Item3,
                MinVoltageSubsystem = a.Item4,
                MinVoltageCell = a.Item5,
                MinCellVoltageRaw = a.Item6,
                MaxTemperatureSubsystem = b.Item1,
                MaxTemperatureProbe = b.Item2,
                MaxTemperatureRaw = b.Item3,
                MinTemperatureSubsystem = b.Item4,
                MinTemperatureProbe = b.Item5,
                MinTemperatureRaw = b.Item6,
            });

    public static Gen<Alarms> Alarms(Gb32960Edition e)
    {
        var codes = Gen.UInt.Array[0, 3];
        var entries = e == Gb32960Edition.V2025
            ? Gen.Select(Gen.Byte, Gen.Byte, (id, level) => new AlarmEntry(id, level)).Array[0, 3]
            : Gen.Const(Array.Empty<AlarmEntry>());
        return Gen.Select(Gen.Byte, Gen.UInt, codes, codes, codes, codes, entries, (level, flags, a, b, c, d, list) => new Alarms
        {
            Edition = e,
            MaxLevel = level,
            GeneralFlags = (Gb32960GeneralAlarms)flags,
            EnergyStorageFaults = a,
            DriveMotorFaults = b,
            EngineFaults = c,
            OtherFaults = d,
            Entries = list,
        });
    }

    public static Gen<CellVoltages> CellVoltages(Gb32960Edition e) =>
        Gen.Select(Gen.Byte, Gen.UShort, Gen.UShort, Gen.UShort, Gen.UShort, Gen.UShort.Array[0, 8],
            (n, v, c, total, start, cells) => new CellVoltagePack
            {
                Edition = e,
                Number = n,
                VoltageRaw = v,
                CurrentRaw = c,
                TotalCellCount = e == Gb32960Edition.V2025 ? (ushort)cells.Length : total,
                StartIndex = e == Gb32960Edition.V2025 ? (ushort)0 : start,
                CellVoltagesRaw = cells,
            })
        .Array[0, 3].Select(p => new CellVoltages { Edition = e, Packs = p });

    public static Gen<ProbeTemperatures> ProbeTemperatures(Gb32960Edition e) =>
        Gen.Select(Gen.Byte, Bytes(0, 8), (n, t) => new ProbeTemperaturePack { Number = n, TemperaturesRaw = t })
            .Array[0, 3].Select(p => new ProbeTemperatures { Edition = e, Packs = p });

    public static readonly Gen<OemData> Oem =
        Gen.Select(Gen.Byte[OemData.FirstTypeCode, OemData.LastTypeCode], Bytes(0, 16), (t, d) => new OemData { OemType = t, Data = d });

    public static Gen<Gb32960InfoUnit> InfoUnit(Gb32960Edition e)
    {
        var common = new List<IGen<Gb32960InfoUnit>>
        {
            VehicleData(e).Select(u => (Gb32960InfoUnit)u),
            DriveMotors(e).Select(u => (Gb32960InfoUnit)u),
            Engine(e).Select(u => (Gb32960InfoUnit)u),
            Location(e).Select(u => (Gb32960InfoUnit)u),
            Alarms(e).Select(u => (Gb32960InfoUnit)u),
            CellVoltages(e).Select(u => (Gb32960InfoUnit)u),
            ProbeTemperatures(e).Select(u => (Gb32960InfoUnit)u),
            Oem.Select(u => (Gb32960InfoUnit)u),
        };
        if (e == Gb32960Edition.V2016)
        {
            common.Add(FuelCell.Select(u => (Gb32960InfoUnit)u));
            common.Add(Extremes.Select(u => (Gb32960InfoUnit)u));
        }
        return Gen.OneOf(common.ToArray());
    }

    /// <summary>A type byte whose layout the edition does not define, so a decoder must keep what follows raw.</summary>
    public static Gen<byte> UnknownType(Gb32960Edition e) => e == Gb32960Edition.V2025
        ? Gen.OneOf(Gen.Const((byte)0x00), Gen.Const((byte)0x03), Gen.Byte[0x09, 0x7F])
        : Gen.OneOf(Gen.Const((byte)0x00), Gen.Byte[0x0A, 0x7F]);

    public static readonly Gen<Gb32960Signature> Signature =
        Gen.Select(Gen.Byte[1, 3], Bytes(0, 40), Bytes(0, 40), (a, r, s) => new Gb32960Signature { Algorithm = a, R = r, S = s });

    public static Gen<RealtimeReport> Realtime(Gb32960Edition e)
    {
        var tail = Gen.Frequency(
            (3, Gen.Const(ReadOnlyMemory<byte>.Empty)),
            (1, Gen.Select(UnknownType(e), Bytes(0, 12), (t, rest) => (ReadOnlyMemory<byte>)(byte[])[t, .. rest.Span])));
        var signature = e == Gb32960Edition.V2025 ? Signature.Null() : Gen.Const((Gb32960Signature?)null);
        return Gen.Select(Gen.Bool, Time, InfoUnit(e).Array[0, 6], tail, signature, Bytes(0, 6),
            (reissue, time, items, unknown, sig, after) => new RealtimeReport
            {
                Edition = e,
                IsReissue = reissue,
                Time = time,
                Items = items,
                UnknownTail = unknown,
                Signature = sig,
                AfterSignature = sig is null ? ReadOnlyMemory<byte>.Empty : after,
            });
    }

    // ---------------------------------------------------------------- bodies

    public static Gen<VehicleLogin> VehicleLogin(Gb32960Edition e)
    {
        if (e == Gb32960Edition.V2025)
        {
            return Gen.Select(Time, Gen.UShort, Ascii(20), Gen.Byte[0, 3].Array[0, 3]).SelectMany(t =>
                Ascii(Ingest.Protocol.Gb32960.Bodies.VehicleLogin.CodeLength2025).Array[t.Item4.Sum(c => c)].Select(codes => new VehicleLogin
                {
                    Edition = e,
                    Time = t.Item1,
                    LoginSerial = t.Item2,
                    Iccid = t.Item3,
                    CodeLength = Ingest.Protocol.Gb32960.Bodies.VehicleLogin.CodeLength2025,
                    CodesPerSubsystem = t.Item4,
                    Codes = codes,
                }));
        }
        return Gen.Select(Time, Gen.UShort, Ascii(20), Gen.Byte[0, 30], Gen.Int[0, 4]).SelectMany(t =>
            Ascii(t.Item4).Array[t.Item5].Select(codes => new VehicleLogin
            {
                Edition = e,
                Time = t.Item1,
                LoginSerial = t.Item2,
                Iccid = t.Item3,
                CodeLength = t.Item4,
                Codes = codes,
            }));
    }

    private static readonly Gen<Gb32960Parameter[]> ParameterUnit = Gen.OneOf(
        Gen.Select(Gen.OneOf(Gen.Const((byte)0x01), Gen.Const((byte)0x02), Gen.Const((byte)0x03), Gen.Const((byte)0x06),
                Gen.Const((byte)0x0A), Gen.Const((byte)0x0B), Gen.Const((byte)0x0F)), Bytes(2, 2),
            (id, v) => new[] { new Gb32960Parameter(id, v) }),
        Gen.Select(Gen.OneOf(Gen.Const((byte)0x09), Gen.Const((byte)0x0C), Gen.Const((byte)0x10)), Bytes(1, 1),
            (id, v) => new[] { new Gb32960Parameter(id, v) }),
        Gen.Select(Gen.OneOf(Gen.Const((byte)0x07), Gen.Const((byte)0x08)), Ascii(5), (id, v) => new[] { new Gb32960Parameter(id, v) }),
        Gen.Select(Gen.Bool, Gen.Byte[0, 20].SelectMany(n => Ascii(n)), (publicPlatform, domain) => new[]
        {
            new Gb32960Parameter(publicPlatform ? (byte)0x0D : (byte)0x04, new[] { (byte)domain.Length }),
            new Gb32960Parameter(publicPlatform ? (byte)0x0E : (byte)0x05, domain),
        }));

    private static readonly Gen<Gb32960Parameter[]> Parameters =
        ParameterUnit.Array[0, 5].Select(units => units.SelectMany(u => u).ToArray());

    public static readonly Gen<ParameterQuery> ParameterQuery =
        Gen.Select(Time, Gen.Byte.Array[0, 20], (t, ids) => new ParameterQuery { Time = t, Ids = ids });

    public static readonly Gen<ParameterSet> ParameterSet =
        Gen.Select(Time, Parameters, (t, p) => new ParameterSet { Time = t, Parameters = p });

    public static readonly Gen<ParameterQueryResult> ParameterQueryResult =
        Gen.Select(Time, Parameters, (t, p) => new ParameterQueryResult { Time = t, Parameters = p });

    public static readonly Gen<TerminalControl> TerminalControl =
        Gen.Select(Time, Gen.Byte[1, 7], Bytes(0, 30), (t, c, a) => new TerminalControl { Time = t, ControlCommand = c, Arguments = a });

    public static readonly Gen<Activation> Activation =
        Gen.Select(Time, Ascii(16), Bytes(0, 70), Identifier, Signature,
            (t, chip, key, vin, sig) => new Activation { Time = t, ChipId = chip, PublicKey = key, Vin = vin, Signature = sig });

    public static readonly Gen<KeySync> KeySync =
        Gen.Select(Gen.Byte, Bytes(0, 32), Time, Time, (a, k, from, until) => new KeySync { Algorithm = a, Key = k, ValidFrom = from, ValidUntil = until });

    public static readonly Gen<Reply> Reply = Gen.OneOf(
        Gen.Select(Time, Bytes(0, 40), (t, p) => new Reply { Time = t, Payload = p }),
        Bytes(0, 5).Select(p => new Reply { Payload = p }));

    // ---------------------------------------------------------------- frames

    private static Gen<Gb32960Frame> Frame(Gen<Gb32960Edition> editions, Func<Gb32960Edition, Gen<(byte Command, byte Flag, Gb32960Body Body)>> body) =>
        from e in editions
        from b in body(e)
        from vin in Identifier
        select Gb32960Frame.Create(e, b.Command, b.Flag, vin, b.Body);

    private static Gen<(byte, byte, Gb32960Body)> Request<T>(byte command, Gen<T> body) where T : Gb32960Body =>
        body.Select(b => (command, Gb32960ResponseFlags.Command, (Gb32960Body)b));

    private static readonly Gen<Gb32960Edition> Only2025 = Gen.Const(Gb32960Edition.V2025);

    /// <summary>Valid frames of every command layout (requests, replies, parameter answers, encrypted data) in both editions.</summary>
    public static readonly Gen<Gb32960Frame> AnyFrame = Gen.OneOf(
        Frame(Edition, e => Realtime(e).Select(r => (r.Command, Gb32960ResponseFlags.Command, (Gb32960Body)r))),
        Frame(Edition, e => Realtime(e).Select(r => (r.Command, Gb32960ResponseFlags.Command, (Gb32960Body)r))),
        Frame(Edition, e => Request(Gb32960Command.VehicleLogin, VehicleLogin(e))),
        Frame(Edition, _ => Request(Gb32960Command.VehicleLogout,
            Gen.Select(Time, Gen.UShort, (t, s) => new VehicleLogout { Time = t, LoginSerial = s }))),
        Frame(Edition, _ => Request(Gb32960Command.PlatformLogin,
            Gen.Select(Time, Gen.UShort, Ascii(12), Ascii(20), Gen.Byte, (t, s, u, p, r) =>
                new PlatformLogin { Time = t, LoginSerial = s, Username = u, Password = p, EncryptionRule = r }))),
        Frame(Edition, _ => Request(Gb32960Command.PlatformLogout,
            Gen.Select(Time, Gen.UShort, (t, s) => new PlatformLogout { Time = t, LoginSerial = s }))),
        Frame(Edition, _ => Request(Gb32960Command.Heartbeat, Gen.Const(Heartbeat.Instance))),
        Frame(Edition, _ => Request(Gb32960Command.TimeSync, Gen.Const(TimeSync.Instance))),
        Frame(Edition, _ => Request(Gb32960Command.ParameterQuery, ParameterQuery)),
        Frame(Edition, _ => Request(Gb32960Command.ParameterSet, ParameterSet)),
        Frame(Edition, _ => ParameterQueryResult.Select(b => (Gb32960Command.ParameterQuery, Gb32960ResponseFlags.Success, (Gb32960Body)b))),
        Frame(Edition, _ => Request(Gb32960Command.TerminalControl, TerminalControl)),
        Frame(Only2025, _ => Request(Gb32960Command.Activation, Activation)),
        Frame(Only2025, _ => Request(Gb32960Command.ActivationResponse,
            Gen.Select(Gen.Byte, Gen.Byte, (r, i) => new ActivationResponse { Result = r, Info = i }))),
        Frame(Only2025, _ => Request(Gb32960Command.KeySync, KeySync)),
        Frame(Edition, _ => Gen.Select(Gen.OneOf(Gen.Byte[0x01, 0x08], Gen.Const((byte)0x81), Gen.Const((byte)0x82)), Gen.Byte[0x01, 0x07], Reply,
            (c, f, r) => (c, f, (Gb32960Body)r))),
        from e in Edition
        from vin in Identifier
        from command in Gen.Byte[0x01, 0x08]
        from blocks in Gen.Int[1, 4]
        from data in Bytes(16 * blocks, 16 * blocks)
        select Gb32960Frame.Create(e, command, Gb32960ResponseFlags.Command, vin,
            new RawBody { Data = data, Reason = Ingest.Protocol.Errors.DecodeErrorKind.Encrypted }, Gb32960Encryption.Aes128OrSm2));
}
