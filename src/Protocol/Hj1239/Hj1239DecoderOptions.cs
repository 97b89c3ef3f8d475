using Ingest.Protocol.Hj1239.InfoUnits;

namespace Ingest.Protocol.Hj1239;

/// <summary>What a listener tells <see cref="Hj1239Decoder"/> and <see cref="Hj1239ItemWalker"/> about its fleet.</summary>
public sealed record Hj1239DecoderOptions
{
    /// <summary>Everything at its default: layout detected per frame, unknown info types length-prefixed.</summary>
    public static Hj1239DecoderOptions Default { get; } = new();

    /// <summary>The realtime/reissue layout; <see cref="Hj1239Layout.Auto"/> (default) detects it per frame.</summary>
    public Hj1239Layout Layout { get; init; } = Hj1239Layout.Auto;

    /// <summary>How items of reserved and user-defined info types are delimited; default length-prefixed.</summary>
    public Hj1239UserItemLayout UserItems { get; init; } = Hj1239UserItemLayout.LengthPrefixed;
}
