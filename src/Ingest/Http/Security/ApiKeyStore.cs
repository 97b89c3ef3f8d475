using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ingest.Http.Security;

/// <summary>
/// The API keys, checked on every HTTP request and changed by the admin endpoints and the <c>keys</c> command.
/// <para>
/// A key is <c>ik_&lt;id&gt;_&lt;secret&gt;</c> with a 256-bit random secret; only SHA-256 of the secret is stored and
/// the comparison takes constant time. A slow password KDF (PBKDF2, bcrypt, Argon2) is not needed: it exists to slow
/// the guessing of low-entropy human passwords, and a 256-bit random secret cannot be guessed however fast the hash
/// is, so SHA-256 gives the same protection to a stolen file at microseconds per request instead of a deliberate
/// 100 ms of CPU that any unauthenticated caller could make the server spend.
/// </para>
/// <para>
/// The file is the source of truth: the store looks at its write time and length on every check (one <c>stat</c>)
/// and reloads it when another process (the CLI) replaced it, so a key created or revoked from the command line
/// applies to the running server without a restart. A file that cannot be read keeps the keys loaded before.
/// </para>
/// </summary>
public sealed class ApiKeyStore
{
    public const string Prefix = "ik_";
    private const int IdBytes = 6;
    private const int SecretBytes = 32;
    private const int IdChars = IdBytes * 2;
    private const int MaxSecretChars = 64;

    private readonly ApiKeyFile _file;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly Lock _reload = new();
    private volatile Snapshot _snapshot;

    public ApiKeyStore(ApiKeyFile file, TimeProvider time, ILogger<ApiKeyStore>? logger = null)
    {
        _file = file;
        _time = time;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        var stamp = file.Stamp();
        _snapshot = new Snapshot(file.Load(), stamp);
    }

    public string FilePath => _file.Path;

    /// <summary>Every key, revoked ones included, in id order.</summary>
    public IReadOnlyList<ApiKey> List() => Current().Keys;

    /// <summary>True when at least one key is not revoked (with none, every protected endpoint answers 401).</summary>
    public bool AnyActive => Current().Keys.Any(k => !k.IsRevoked);

    /// <summary>Checks a presented key (<c>ik_id_secret</c>); the secret is compared in constant time.</summary>
    public ApiKeyRejection Authenticate(ReadOnlySpan<char> presented, [NotNullWhen(false)] out ApiKey? key)
    {
        key = null;
        if (!TrySplit(presented, out var id, out var secret))
        {
            return ApiKeyRejection.Malformed;
        }
        if (!Current().ById.TryGetValue(id.ToString(), out var found))
        {
            return ApiKeyRejection.Unknown;
        }
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        Span<byte> expected = stackalloc byte[SHA256.HashSizeInBytes];
        Digest(secret, digest);
        if (Convert.FromHexString(found.SecretSha256, expected, out _, out int written) != System.Buffers.OperationStatus.Done
            || written != expected.Length
            || !CryptographicOperations.FixedTimeEquals(digest, expected))
        {
            return ApiKeyRejection.WrongSecret;
        }
        if (found.IsRevoked)
        {
            return ApiKeyRejection.Revoked;
        }
        key = found;
        return ApiKeyRejection.None;
    }

    /// <summary>Creates a key, durably; returns it with the text to present, which is shown once and never stored.</summary>
    public async ValueTask<(ApiKey Key, string Secret)> CreateAsync(string tenant, IReadOnlyList<string> scopes, string? name,
        CancellationToken cancellationToken = default)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdBytes));
        var secret = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(SecretBytes));
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        Digest(secret, digest);
        var key = new ApiKey(id, string.IsNullOrWhiteSpace(name) ? id : name.Trim(), tenant, scopes.Distinct(StringComparer.Ordinal).ToList(),
            Convert.ToHexStringLower(digest), _time.GetUtcNow());
        await ChangeAsync(keys => keys.Add(key), cancellationToken).ConfigureAwait(false);
        return (key, Prefix + id + "_" + secret);
    }

    /// <summary>Revokes a key, durably; null when no key has that id. Revoking twice keeps the first time.</summary>
    public async ValueTask<ApiKey?> RevokeAsync(string id, CancellationToken cancellationToken = default)
    {
        ApiKey? revoked = null;
        await ChangeAsync(keys =>
        {
            int index = keys.FindIndex(k => string.Equals(k.Id, id, StringComparison.Ordinal));
            if (index >= 0)
            {
                revoked = keys[index].IsRevoked ? keys[index] : keys[index] with { RevokedAt = _time.GetUtcNow() };
                keys[index] = revoked;
            }
        }, cancellationToken).ConfigureAwait(false);
        return revoked;
    }

    /// <summary>Splits <c>ik_&lt;12 hex&gt;_&lt;secret&gt;</c>; the secret is base64url and may itself contain '_'.</summary>
    public static bool TrySplit(ReadOnlySpan<char> presented, out ReadOnlySpan<char> id, out ReadOnlySpan<char> secret)
    {
        id = secret = default;
        presented = presented.Trim();
        if (presented.Length < Prefix.Length + IdChars + 2
            || !presented.StartsWith(Prefix, StringComparison.Ordinal) || presented[Prefix.Length + IdChars] != '_')
        {
            return false;
        }
        id = presented.Slice(Prefix.Length, IdChars);
        secret = presented[(Prefix.Length + IdChars + 1)..];
        return secret.Length <= MaxSecretChars && !id.ContainsAnyExcept("0123456789abcdef");
    }

    private static void Digest(ReadOnlySpan<char> secret, Span<byte> digest)
    {
        Span<byte> utf8 = stackalloc byte[256];
        int length = Encoding.UTF8.GetBytes(secret, utf8);
        SHA256.HashData(utf8[..length], digest);
    }

    private async ValueTask ChangeAsync(Action<List<ApiKey>> change, CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // From the file, not the snapshot: the CLI may have changed it since the last request looked.
            var keys = _file.Load().ToList();
            change(keys);
            await _file.SaveAsync(keys, cancellationToken).ConfigureAwait(false);
            lock (_reload)
            {
                _snapshot = new Snapshot(keys, _file.Stamp());
            }
        }
        finally
        {
            _writer.Release();
        }
    }

    private Snapshot Current()
    {
        var snapshot = _snapshot;
        var stamp = _file.Stamp();
        if (stamp == snapshot.Stamp)
        {
            return snapshot;
        }
        lock (_reload)
        {
            if (_snapshot.Stamp != stamp)
            {
                try
                {
                    _snapshot = new Snapshot(_file.Load(), stamp);
                    SecurityLog.KeysReloaded(_logger, _file.Path, _snapshot.Keys.Count);
                }
                catch (Exception exception) when (exception is IOException or JsonException or InvalidDataException or UnauthorizedAccessException)
                {
                    // Keep the keys we have; look again when the file changes next.
                    _snapshot = _snapshot with { Stamp = stamp };
                    SecurityLog.KeysReloadFailed(_logger, _file.Path, exception.Message);
                }
            }
            return _snapshot;
        }
    }

    private sealed record Snapshot(IReadOnlyList<ApiKey> Keys, (DateTime, long) Stamp)
    {
        public Dictionary<string, ApiKey> ById { get; } = Keys.ToDictionary(k => k.Id, StringComparer.Ordinal);
    }
}
