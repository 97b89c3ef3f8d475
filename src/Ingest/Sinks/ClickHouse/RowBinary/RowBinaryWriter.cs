using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace Ingest.Sinks.ClickHouse.RowBinary;

/// <summary>
/// Appends values in ClickHouse's RowBinary format (little-endian numbers, LEB128 lengths, a null byte before each
/// Nullable value, DateTime as UInt32 unix seconds) to one growable buffer that is reused batch after batch.
/// Row projectors write each table's columns through this, in column order.
/// </summary>
/// <remarks>
/// The buffer is an array rented from <see cref="ArrayPool{T}.Shared"/>: it only grows (the old array goes back to
/// the pool), and <see cref="Clear"/> keeps it, so a sink in steady state writes every batch into the same memory and
/// allocates nothing per row. Each write checks the room it needs once and stores directly, without the per-call
/// bookkeeping of an <see cref="IBufferWriter{T}"/>, because a realtime record writes hundreds of values.
/// </remarks>
public sealed class RowBinaryWriter
{
    private byte[] _buffer;
    private int _written;

    public RowBinaryWriter(int initialCapacity = 64 * 1024) => _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, 256));

    public int WrittenCount => _written;

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    /// <summary>The written bytes as an array segment (for a read-only stream without copying).</summary>
    public ArraySegment<byte> WrittenSegment => new(_buffer, 0, _written);

    /// <summary>Forgets the content and keeps the memory for the next batch.</summary>
    public void Clear() => _written = 0;

    /// <summary>Drops everything written after <paramref name="written"/> (a <see cref="WrittenCount"/> read earlier).</summary>
    public void Truncate(int written)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(written, _written);
        ArgumentOutOfRangeException.ThrowIfNegative(written);
        _written = written;
    }

    /// <summary>
    /// Room for at least <paramref name="size"/> bytes at the end; write into it, then <see cref="Advance"/> by what was
    /// written. For loops that store many fixed-size values at once (array columns).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> GetSpan(int size)
    {
        if (_buffer.Length - _written < size)
        {
            Grow(size);
        }
        return _buffer.AsSpan(_written);
    }

    public void Advance(int count) => _written += count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteUInt8(byte value)
    {
        if (_written >= _buffer.Length)
        {
            Grow(1);
        }
        _buffer[_written++] = value;
    }

    public void WriteBool(bool value) => WriteUInt8(value ? (byte)1 : (byte)0);

    public void WriteInt8(sbyte value) => WriteUInt8(unchecked((byte)value));

    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(GetSpan(2), value);
        _written += 2;
    }

    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(GetSpan(4), value);
        _written += 4;
    }

    public void WriteUInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(GetSpan(8), value);
        _written += 8;
    }

    public void WriteFloat32(float value)
    {
        BinaryPrimitives.WriteSingleLittleEndian(GetSpan(4), value);
        _written += 4;
    }

    public void WriteFloat64(double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(GetSpan(8), value);
        _written += 8;
    }

    /// <summary>DateTime: whole seconds since 1970-01-01 UTC as UInt32 (1970 to 2106). Out of range is a bug upstream.</summary>
    public void WriteDateTime(DateTimeOffset value)
    {
        long seconds = value.ToUnixTimeSeconds();
        if ((ulong)seconds > uint.MaxValue)
        {
            ThrowDateTimeOutOfRange(value);
        }
        WriteUInt32((uint)seconds);
    }

    /// <summary>String column from text (UTF-8).</summary>
    public void WriteString(string? value)
    {
        value ??= "";
        int byteCount = Encoding.UTF8.GetByteCount(value);
        WriteLength(byteCount);
        _written += Encoding.UTF8.GetBytes(value, GetSpan(byteCount));
    }

    /// <summary>String column from raw bytes (ClickHouse strings are byte strings).</summary>
    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteLength(value.Length);
        value.CopyTo(GetSpan(value.Length));
        _written += value.Length;
    }

    /// <summary>The null flag of a Nullable column: returns true when a value must follow.</summary>
    public bool WriteNullFlag(bool hasValue)
    {
        WriteUInt8(hasValue ? (byte)0 : (byte)1);
        return hasValue;
    }

    public void WriteNullableUInt8(byte? value)
    {
        if (WriteNullFlag(value.HasValue))
        {
            WriteUInt8(value!.Value);
        }
    }

    public void WriteNullableUInt16(ushort? value)
    {
        if (WriteNullFlag(value.HasValue))
        {
            WriteUInt16(value!.Value);
        }
    }

    public void WriteNullableUInt32(uint? value)
    {
        if (WriteNullFlag(value.HasValue))
        {
            WriteUInt32(value!.Value);
        }
    }

    public void WriteNullableFloat32(float? value)
    {
        if (WriteNullFlag(value.HasValue))
        {
            WriteFloat32(value!.Value);
        }
    }

    public void WriteNullableFloat64(double? value)
    {
        if (WriteNullFlag(value.HasValue))
        {
            WriteFloat64(value!.Value);
        }
    }

    public void WriteNullableDateTime(DateTimeOffset? value)
    {
        if (WriteNullFlag(value.HasValue))
        {
            WriteDateTime(value!.Value);
        }
    }

    public void WriteArrayFloat32(ReadOnlySpan<float> values)
    {
        WriteLength(values.Length);
        foreach (var value in values)
        {
            WriteFloat32(value);
        }
    }

    /// <summary>Array(Nullable(Float32)): null where the terminal reported the element as abnormal or invalid.</summary>
    public void WriteArrayNullableFloat32(ReadOnlySpan<float?> values)
    {
        WriteLength(values.Length);
        foreach (var value in values)
        {
            WriteNullableFloat32(value);
        }
    }

    public void WriteArrayUInt8(ReadOnlySpan<byte> values)
    {
        WriteLength(values.Length);
        values.CopyTo(GetSpan(values.Length));
        _written += values.Length;
    }

    public void WriteArrayUInt32(ReadOnlySpan<uint> values)
    {
        WriteLength(values.Length);
        foreach (var value in values)
        {
            WriteUInt32(value);
        }
    }

    public void WriteArrayString(ReadOnlySpan<string> values)
    {
        WriteLength(values.Length);
        foreach (var value in values)
        {
            WriteString(value);
        }
    }

    /// <summary>Unsigned LEB128, as RowBinary prefixes strings and arrays.</summary>
    public void WriteLength(int length)
    {
        uint value = (uint)length;
        if (value < 0x80)
        {
            WriteUInt8((byte)value);
            return;
        }
        var span = GetSpan(5);
        int i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[i++] = (byte)value;
        _written += i;
    }

    private void Grow(int size)
    {
        long wanted = Math.Max((long)_buffer.Length * 2, (long)_written + size);
        var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(wanted, Array.MaxLength));
        _buffer.AsSpan(0, _written).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }

    private static void ThrowDateTimeOutOfRange(DateTimeOffset value) =>
        throw new ArgumentOutOfRangeException(nameof(value), value, "ClickHouse DateTime holds 1970-01-01 to 2106-02-07 UTC.");
}
