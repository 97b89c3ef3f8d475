using BenchmarkDotNet.Attributes;
using Ingest.Hosting;
using Ingest.Protocol.Framing;
using Ingest.Registry;
using Ingest.Signatures;
using Ingest.Tests.Support;
using LoadGen.Frames;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ingest.Benchmarks;

/// <summary>
/// One SM2 signature check as the session (Reject) or the ClickHouse sink (Flag) does it: locate the signed bytes, look
/// up the vehicle's cached key, verify. Frames are the load generator's goal records (HJ 1239: ten data-stream items
/// and a supplementary item; GB/T 32960-2025: 96 cells, 32 probes), signed by a key generated here.
/// </summary>
[MemoryDiagnoser]
public class SignatureBenchmarks
{
    private const string Vin = "LGDCH91G8KA141269";
    private const string Unfiled = "LGDCH91G8KA141270";

    private SignatureVerifier _verifier = null!;
    private byte[] _hj = null!;
    private byte[] _gb = null!;
    private byte[] _unfiledHj = null!;
    private FrameHeader _hjHeader;
    private FrameHeader _gbHeader;
    private FrameHeader _unfiledHeader;
    private string _folder = null!;

    [GlobalSetup(Targets = [nameof(HjRealtime), nameof(Gb2025Realtime), nameof(HjUnfiledVehicle)])]
    public void Setup()
    {
        var chip = new Sm2FrameSigner("CHIP000000000001");
        _chipKey = chip.PublicKey;
        _folder = Path.Combine(Path.GetTempPath(), "sig-bench-" + Guid.NewGuid().ToString("N"));
        var registry = VehicleRegistry.Open(new RegistryFile(Path.Combine(_folder, "registry.json")));
        registry.UpsertAsync([new VehicleFiling(Vin, "bench", ChipId: chip.ChipId, Sm2PublicKey: chip.PublicKey)]).AsTask().GetAwaiter().GetResult();
        _verifier = new SignatureVerifier(registry, NullLogger<SignatureVerifier>.Instance);

        _hj = Signed(chip, TerminalProtocol.Hj1239, Vin, ListenerProtocol.Hj1239);
        _gb = Signed(chip, TerminalProtocol.Gb2025, Vin, ListenerProtocol.Gb32960);
        _unfiledHj = Signed(chip, TerminalProtocol.Hj1239, Unfiled, ListenerProtocol.Hj1239);
        _hjHeader = FrameHeader.Read(_hj, HeaderLayout.Hj1239);
        _gbHeader = FrameHeader.Read(_gb, HeaderLayout.Gb32960);
        _unfiledHeader = FrameHeader.Read(_unfiledHj, HeaderLayout.Hj1239);
        if (HjRealtime() != SignatureVerdict.Valid || Gb2025Realtime() != SignatureVerdict.Valid || HjUnfiledVehicle() != SignatureVerdict.NoKey)
        {
            throw new InvalidOperationException("benchmark frames do not verify");
        }
    }

    private Sm2VerificationKey _key = null!;
    private byte[] _signed = null!, _r = null!, _s = null!;
    private Org.BouncyCastle.Crypto.Parameters.ECPublicKeyParameters _public = null!;
    private byte[] _userId = null!;

    [GlobalSetup(Targets = [nameof(KeyOnly), nameof(FreshSigner), nameof(PointMathOnly)])]
    public void SetupParts()
    {
        Setup();
        var header = FrameHeader.Read(_hj, HeaderLayout.Hj1239);
        SignedFrame.Locate(_hj, header, ListenerProtocol.Hj1239, Ingest.Protocol.Hj1239.InfoUnits.Hj1239UserItemLayout.LengthPrefixed, out var parts);
        (_signed, _r, _s) = (parts.Signed.ToArray(), parts.R.ToArray(), parts.S.ToArray());
        _key = _verifier.KeyOf(Ingest.Protocol.Primitives.Vin.Parse(Vin))!;
        var point = Sm2VerificationKey.Curve.Curve.DecodePoint(_chipKey);
        _public = new Org.BouncyCastle.Crypto.Parameters.ECPublicKeyParameters(point, Sm2VerificationKey.Curve);
        _userId = "CHIP000000000001"u8.ToArray();
    }

    private byte[] _chipKey = null!;

    /// <summary>Where the time goes: the cached key's verify alone (no locate, no lookup).</summary>
    [Benchmark]
    public bool KeyOnly() => _key.Verify(_signed, _r, _s);

    /// <summary>What caching saves: a signer initialised per check (ZA digest, parameters).</summary>
    [Benchmark]
    public bool FreshSigner()
    {
        var signer = new Org.BouncyCastle.Crypto.Signers.SM2Signer(Org.BouncyCastle.Crypto.Signers.PlainDsaEncoding.Instance);
        signer.Init(false, new Org.BouncyCastle.Crypto.Parameters.ParametersWithID(_public, _userId));
        signer.BlockUpdate(_signed);
        return signer.VerifySignature([.. _r, .. _s]);
    }

    /// <summary>The floor: BouncyCastle's s*G + t*P alone, which is nearly all of a check.</summary>
    [Benchmark]
    public Org.BouncyCastle.Math.EC.ECPoint PointMathOnly() => Org.BouncyCastle.Math.EC.ECAlgorithms.SumOfTwoMultiplies(
        Sm2VerificationKey.Curve.G, new Org.BouncyCastle.Math.BigInteger(1, _s), _public.Q, new Org.BouncyCastle.Math.BigInteger(1, _r)).Normalize();

    [GlobalCleanup]
    public void Cleanup()
    {
        _verifier.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>HJ 1239 realtime record, cached key: locate + SM2 verify.</summary>
    [Benchmark(Baseline = true)]
    public SignatureVerdict HjRealtime() => _verifier.Verify(_hj, _hjHeader, ListenerProtocol.Hj1239);

    /// <summary>GB/T 32960-2025 signed realtime frame, cached key.</summary>
    [Benchmark]
    public SignatureVerdict Gb2025Realtime() => _verifier.Verify(_gb, _gbHeader, ListenerProtocol.Gb32960);

    /// <summary>A signed frame of a vehicle without a filed key: what Flag costs when nothing can be checked.</summary>
    [Benchmark]
    public SignatureVerdict HjUnfiledVehicle() => _verifier.Verify(_unfiledHj, _unfiledHeader, ListenerProtocol.Hj1239);

    /// <summary>
    /// CPU time per check, measured with the process's processor time over many checks on one thread: unlike the
    /// wall-clock figures above it holds on a machine shared with other work. <c>dotnet run -c Release --project
    /// bench/Ingest.Benchmarks -- signature-cpu</c>.
    /// </summary>
    public static void PrintCpuCost()
    {
        var bench = new SignatureBenchmarks();
        bench.Setup();
        foreach (var (name, check) in new (string, Func<SignatureVerdict>)[] { ("hj1239 realtime", bench.HjRealtime), ("gb32960-2025 realtime", bench.Gb2025Realtime) })
        {
            for (int i = 0; i < 2000; i++)
            {
                check();
            }
            const int checks = 3000;
            var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < checks; i++)
            {
                check();
            }
            var used = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu;
            double micros = used.TotalMicroseconds / checks;
            Console.WriteLine(System.FormattableString.Invariant(
                $"{name}: {micros:F0} µs CPU per check, {(GC.GetAllocatedBytesForCurrentThread() - allocated) / checks} B allocated; 5,000 checks/s = {micros * 5000 / 1e6:F2} cores"));
        }
        bench.Cleanup();
    }

    private static byte[] Signed(Sm2FrameSigner chip, TerminalProtocol protocol, string vin, ListenerProtocol listener)
    {
        var frames = TerminalFrames.Build(protocol, vin, new FrameShape(), seed: 1);
        frames.Data.Stamp(DateTimeOffset.UtcNow, 1);
        return chip.Sign(frames.Data.Span, listener);
    }
}
