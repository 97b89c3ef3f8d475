using Ingest.Protocol.Hj1239.InfoUnits;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Hj1239;

/// <summary>
/// Tells the Annex Q and HJ 1239 realtime/reissue layouts apart from the bytes, for listeners configured with
/// <see cref="Hj1239Layout.Auto"/>.
/// <para>Rule: walk the data unit in both layouts (allocation-free dry walks). A layout qualifies when its walk ends
/// exactly at the end of the data unit. If only one qualifies, it wins. If both do, HJ 1239 wins when every item
/// collection time is a real calendar time and there is at least one item, otherwise Annex Q. If neither does,
/// the frame is malformed and the layout whose walk got further is reported, so its error is the useful one.</para>
/// <para>Limits: only 0x02/0x03 differ between the layouts; login, logout and time sync frames carry no evidence
/// and stay undetermined, and HJ-only commands (0x06-0x08, 0x80) are HJ 1239 by definition. An empty data stream
/// frame (time only) is ambiguous. A session that needs one answer for all its frames should remember the layout
/// of its first realtime frame.</para>
/// </summary>
public static class Hj1239LayoutDetection
{
    /// <summary>The layout of a realtime/reissue data unit, or <see cref="Hj1239Layout.Auto"/> when neither layout walks it.</summary>
    public static Hj1239Layout DetectDataUnit(ReadOnlySpan<byte> dataUnit)
    {
        var layout = Choose(dataUnit, Hj1239UserItemLayout.LengthPrefixed, out bool determined);
        return determined ? layout : Hj1239Layout.Auto;
    }

    /// <summary>
    /// The layout to report for a frame given the listener's setting: the setting itself when fixed; otherwise the
    /// detected layout for a readable 0x02/0x03, <see cref="Hj1239Layout.Hj1239"/> for HJ-only commands and
    /// <see cref="Hj1239Layout.Auto"/> (undetermined) for the rest, encrypted reports included.
    /// </summary>
    public static Hj1239Layout Resolve(Hj1239Layout configured, byte command, ReadOnlySpan<byte> dataUnit, bool encrypted = false) =>
        Resolve(configured, command, dataUnit, encrypted, Hj1239UserItemLayout.LengthPrefixed);

    /// <summary>As <see cref="Resolve(Hj1239Layout, byte, ReadOnlySpan{byte}, bool)"/>, with the listener's handling of user-defined items.</summary>
    public static Hj1239Layout Resolve(Hj1239Layout configured, byte command, ReadOnlySpan<byte> dataUnit, bool encrypted, Hj1239UserItemLayout userItems)
    {
        if (configured != Hj1239Layout.Auto)
        {
            return configured;
        }
        return command switch
        {
            Hj1239Command.Realtime or Hj1239Command.Reissue when !encrypted => ChooseDataLayout(dataUnit, userItems),
            Hj1239Command.RemovalAlarm or Hj1239Command.Activation or Hj1239Command.ActivationResponse
                or Hj1239Command.ParameterQuery => Hj1239Layout.Hj1239,
            _ => Hj1239Layout.Auto,
        };
    }

    /// <summary>Like <see cref="DetectDataUnit"/>, but when neither layout walks, the one whose walk got further.</summary>
    public static Hj1239Layout ChooseDataLayout(ReadOnlySpan<byte> dataUnit) => ChooseDataLayout(dataUnit, Hj1239UserItemLayout.LengthPrefixed);

    /// <summary>
    /// As <see cref="ChooseDataLayout(ReadOnlySpan{byte})"/> for a listener that keeps user-defined items. The
    /// catalogue-only walks decide first (a raw item could make the wrong layout end exactly by chance); only when
    /// neither layout walks on catalogue types alone do walks that keep user-defined items decide, ties going to
    /// the layout whose catalogue-only walk got further.
    /// </summary>
    public static Hj1239Layout ChooseDataLayout(ReadOnlySpan<byte> dataUnit, Hj1239UserItemLayout userItems) =>
        Choose(dataUnit, userItems, out _);

    private static Hj1239Layout Choose(ReadOnlySpan<byte> dataUnit, Hj1239UserItemLayout userItems, out bool determined)
    {
        var strict = Choose(dataUnit, Hj1239UserItemLayout.Reject, out determined, out var further);
        if (determined || userItems == Hj1239UserItemLayout.Reject)
        {
            return strict;
        }
        var lenient = Choose(dataUnit, userItems, out determined, out _);
        return determined && lenient != further && DryWalk(dataUnit, further, userItems).Completed ? further : lenient;
    }

    private static Hj1239Layout Choose(ReadOnlySpan<byte> dataUnit, Hj1239UserItemLayout userItems, out bool determined, out Hj1239Layout further)
    {
        var annexQ = DryWalk(dataUnit, Hj1239Layout.AnnexQ, userItems);
        var hj = DryWalk(dataUnit, Hj1239Layout.Hj1239, userItems);
        determined = annexQ.Completed || hj.Completed;
        further = hj.StopOffset > annexQ.StopOffset ? Hj1239Layout.Hj1239 : Hj1239Layout.AnnexQ;
        if (hj.Completed && (!annexQ.Completed || hj.TimesValid && hj.Items > 0))
        {
            return Hj1239Layout.Hj1239;
        }
        if (annexQ.Completed)
        {
            return Hj1239Layout.AnnexQ;
        }
        return further;
    }

    /// <summary>
    /// True when the data unit follows the 2019 draft seen in vectors/tiza_sih_TestMain: time(6) + serial WORD, then
    /// repeated type + body + its own 32-byte R and 32-byte S (each length-prefixed) after every item. A legacy
    /// variant that this codec recognises in order to reject it clearly, not to decode it.
    /// </summary>
    /// <param name="dataUnit">The data unit.</param>
    /// <param name="firstSignatureOffset">Offset in the data unit of the first per-item R length byte.</param>
    public static bool IsDraft2019PerItemSignature(ReadOnlySpan<byte> dataUnit, out int firstSignatureOffset)
    {
        firstSignatureOffset = -1;
        int position = GbTime.Size + 2;
        if (dataUnit.Length <= position)
        {
            return false;
        }
        while (position < dataUnit.Length)
        {
            byte type = dataUnit[position];
            if (!Hj1239InfoTypes.TryGetBodyLength(type, dataUnit[(position + 1)..], out int bodyLength))
            {
                return false;
            }
            position += 1 + bodyLength;
            int signature = Hj1239ItemWalker.SignatureLength(dataUnit, position);
            if (signature != 2 + 2 * Sm2ComponentLength || dataUnit[position] != Sm2ComponentLength)
            {
                return false;
            }
            if (firstSignatureOffset < 0)
            {
                firstSignatureOffset = position;
            }
            position += signature;
        }
        return true;
    }

    /// <summary>The draft's per-item R and S are 32 bytes each, like an SM2 signature's.</summary>
    private const int Sm2ComponentLength = 32;

    private static WalkOutcome DryWalk(ReadOnlySpan<byte> dataUnit, Hj1239Layout layout, Hj1239UserItemLayout userItems)
    {
        var walker = new Hj1239ItemWalker(dataUnit, layout, userItems);
        int items = 0;
        bool timesValid = true;
        while (walker.TryReadNext(out var item))
        {
            items++;
            timesValid &= layout != Hj1239Layout.Hj1239 || item.CollectionTime.IsValid;
        }
        return new WalkOutcome(walker.Completed, items, timesValid, walker.Error.Offset);
    }

    private readonly record struct WalkOutcome(bool Completed, int Items, bool TimesValid, int StopOffset);
}
