using System.Buffers;
using Ingest.Protocol.Errors;
using Ingest.Protocol.Gb32960;
using Ingest.Protocol.Gb32960.Bodies;
using Protocol.Tests.Support;

namespace Protocol.Tests.Gb32960;

/// <summary>The round-trip contract over every real GB/T 32960 frame in Vectors/.</summary>
public class Gb32960VectorTests
{
    public static TheoryData<Vector> Decodable => GbVectors.Theory("decode", "lenient");

    public static TheoryData<Vector> BadChecksum => GbVectors.Theory("checksum-error");

    public static TheoryData<Vector> Rejected => GbVectors.Theory("reject");

    [Fact]
    public void The_catalog_has_gb_vectors_of_every_expectation()
    {
        var gb = GbVectors.All.ToList();
        Assert.True(gb.Count >= 55, $"only {gb.Count} GB vectors");
        foreach (var expect in new[] { "decode", "lenient", "checksum-error", "reject" })
        {
            Assert.Contains(gb, v => v.Expect == expect);
        }
        Assert.DoesNotContain(gb, v => v.Title.Contains("GB17691", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Decodable))]
    public void Decodable_frames_decode_without_error_and_reencode_byte_identically(Vector v)
    {
        var bytes = v.Bytes;
        Assert.True(Gb32960Decoder.TryDecode(bytes, out var frame, out var error), error.ToString());
        Assert.Equal(DecodeErrorKind.None, error.Kind);
        if (frame.Body is RawBody raw)
        {
            // Only ciphertext is passed on undecoded, flagged as such.
            Assert.Equal(DecodeErrorKind.Encrypted, raw.Reason);
            Assert.NotEqual(0x01, frame.Header.Encryption);
        }

        Assert.Equal(Convert.ToHexString(bytes), Convert.ToHexString(Gb32960Encoder.Encode(frame)));

        var writer = new ArrayBufferWriter<byte>();
        Assert.Equal(bytes.Length, Gb32960Encoder.Encode(frame, writer));
        Assert.Equal(bytes, writer.WrittenSpan.ToArray());
    }

    [Theory]
    [MemberData(nameof(Decodable))]
    public void Frames_split_across_pipe_segments_decode_like_contiguous_ones(Vector v)
    {
        var bytes = v.Bytes;
        foreach (int size in new[] { 1, 2, 3, 7, 64 })
        {
            Assert.True(Gb32960Decoder.TryDecode(Segments.Split(bytes, size), Gb32960Decoder.WholeFrameOptions, out var frame, out var error),
                $"{size}: {error}");
            Assert.Equal(bytes, Gb32960Encoder.Encode(frame));
        }
    }

    [Theory]
    [MemberData(nameof(BadChecksum))]
    public void Frames_with_a_wrong_check_byte_give_a_checksum_error(Vector v)
    {
        Assert.False(Gb32960Decoder.TryDecode(v.Bytes, out var frame, out var error));
        Assert.Equal(DecodeErrorKind.Checksum, error.Kind);
        Assert.Equal(v.Bytes.Length - 1, error.Offset);
        Assert.Null(frame);
    }

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Rejected_frames_give_a_typed_error_and_keep_their_bytes_when_the_frame_is_sound(Vector v)
    {
        var bytes = v.Bytes;
        Assert.False(Gb32960Decoder.TryDecode(bytes, out var frame, out var error));
        Assert.NotEqual(DecodeErrorKind.None, error.Kind);
        Assert.InRange(error.Offset, 0, bytes.Length);
        if (frame is not null)
        {
            var raw = Assert.IsType<RawBody>(frame.Body);
            Assert.Equal(error.Kind, raw.Reason);
            Assert.Equal(bytes, Gb32960Encoder.Encode(frame));
        }
    }

    [Fact]
    public void Encrypted_login_whose_length_field_counts_the_plaintext_is_a_length_error()
    {
        var bytes = GbVectors.Bytes("tyj_DeviceManagerServerTest.md", "1. ENCRYPTED login");
        Assert.False(Gb32960Decoder.TryDecode(bytes, out _, out var error));
        Assert.Equal(DecodeErrorKind.Length, error.Kind);
        Assert.Equal(22, error.Offset);
    }

    [Fact]
    public void Plaintext_login_labelled_rsa_is_reported_encrypted_and_kept_raw()
    {
        var bytes = GbVectors.Bytes("tyj_DeviceManagerServerTest.md", "3. PLAINTEXT login");
        Assert.False(Gb32960Decoder.TryDecode(bytes, out var frame, out var error));
        Assert.Equal(DecodeErrorKind.Encrypted, error.Kind);
        Assert.Equal(21, error.Offset);
        Assert.NotNull(frame);
        Assert.Equal(bytes.AsSpan(24, bytes.Length - 25).ToArray(), Assert.IsType<RawBody>(frame.Body).Data.ToArray());
    }

    [Fact]
    public void Aes_encrypted_login_is_passed_on_as_flagged_ciphertext()
    {
        var bytes = GbVectors.Bytes("SmallChi_JTNewEnergy.md", "2. cmd 0x01");
        Assert.True(Gb32960Decoder.TryDecode(bytes, out var frame, out _));
        var raw = Assert.IsType<RawBody>(frame.Body);
        Assert.Equal(DecodeErrorKind.Encrypted, raw.Reason);
        Assert.Equal(48, raw.Data.Length);
        Assert.Equal(0x03, frame.Header.Encryption);
    }

    [Fact]
    public void Login_with_only_a_time_is_truncated_at_the_serial()
    {
        var bytes = GbVectors.Bytes("python_socket_client.md", "1. vehicle login");
        Assert.False(Gb32960Decoder.TryDecode(bytes, out var frame, out var error));
        Assert.Equal(DecodeErrorKind.Truncated, error.Kind);
        Assert.Equal(24 + 6, error.Offset);
        Assert.NotNull(frame);
    }
}
