using System.Collections.Concurrent;
using System.Text;
using Ingest.Hosting;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Hj1239;
using Ingest.Protocol.Hj1239.InfoUnits;
using Ingest.Protocol.Primitives;
using Ingest.Registry;
using Microsoft.Extensions.Logging;

namespace Ingest.Signatures;

/// <summary>
/// Judges a frame's signature against the registry: finds what the frame signs (<see cref="SignedFrame"/>), looks up
/// the vehicle's SM2 key and chip id (the SM2 user id) and verifies. Keys are cached per VIN, as ready-to-use
/// <see cref="Sm2VerificationKey"/>s, and dropped whenever the registry changes; a VIN without a usable key is cached
/// too, so a frame of an unfiled vehicle costs a dictionary lookup and no allocation.
/// </summary>
public sealed class SignatureVerifier : IDisposable
{
    private readonly IVehicleRegistry _registry;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<Vin, CachedKey> _keys = new();
    private long _generation;

    public SignatureVerifier(IVehicleRegistry registry, ILogger<SignatureVerifier> logger)
    {
        _registry = registry;
        _logger = logger;
        _registry.Changed += OnRegistryChanged;
    }

    /// <summary>The verdict for one whole frame (header included) received on a port speaking <paramref name="protocol"/>.</summary>
    public SignatureVerdict Verify(ReadOnlySpan<byte> frame, in FrameHeader header, ListenerProtocol protocol,
        Hj1239UserItemLayout userItems = Hj1239UserItemLayout.LengthPrefixed)
    {
        var kind = SignedFrame.Locate(frame, header, protocol, userItems, out var parts);
        if (kind == SignedFrameKind.NotSignable)
        {
            return SignatureVerdict.Unsigned;
        }
        var key = KeyOf(header.Vin);
        return kind switch
        {
            SignedFrameKind.Missing => key is null ? SignatureVerdict.Unsigned : SignatureVerdict.Missing,
            SignedFrameKind.OtherAlgorithm => SignatureVerdict.NoKey,
            _ when key is null => SignatureVerdict.NoKey,
            _ => key.Verify(parts.Signed, parts.R, parts.S) ? SignatureVerdict.Valid : SignatureVerdict.Invalid,
        };
    }

    /// <summary>The vehicle's key, or null when it is not filed or has no usable key and chip id.</summary>
    public Sm2VerificationKey? KeyOf(in Vin vin)
    {
        long generation = Interlocked.Read(ref _generation);
        if (_keys.TryGetValue(vin, out var cached) && cached.Generation == generation)
        {
            return cached.Key;
        }
        // A load racing a registry change is stored under the old generation and loaded again on the next frame.
        cached = new CachedKey(Load(vin), generation);
        _keys[vin] = cached;
        return cached.Key;
    }

    private Sm2VerificationKey? Load(in Vin vin)
    {
        if (!Vin.IsText(vin.AsSpan()) || !_registry.TryGet(vin.ToString(), out var filing)
            || filing.Sm2PublicKey is not { Length: > 0 } publicKey || string.IsNullOrEmpty(filing.ChipId))
        {
            return null;
        }
        if (!Sm2VerificationKey.TryCreate(publicKey, Encoding.ASCII.GetBytes(filing.ChipId), out var key))
        {
            SignatureLog.KeyUnusable(_logger, filing.Vin, publicKey.Length);
            return null;
        }
        return key;
    }

    private void OnRegistryChanged(IReadOnlyCollection<string> vins)
    {
        Interlocked.Increment(ref _generation);
        _keys.Clear();
        SignatureLog.KeysInvalidated(_logger, vins.Count);
    }

    public void Dispose() => _registry.Changed -= OnRegistryChanged;

    private sealed record CachedKey(Sm2VerificationKey? Key, long Generation);
}
