using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Ingest.Sinks.ClickHouse.RowBinary;

/// <summary>
/// Appends values in ClickHouse's RowBinary format (little-endian numbers, LEB128 lengths, a null byte before each
/// Nullable value, DateTime as UInt32 unix seconds) to one growable buffer that is reused batch after batch.
/// Each table's row struct writes its columns through this, in column order.
/// </summary>
public sealed class RowBinaryWriter
{
    private readonly ArrayBufferWriter<byte> _buffer;

    public RowBinaryWriter(int initialCapacity = 64 * 1024) => _buffer = new ArrayBufferWriter<byte>(initialCapacity);

    public int WrittenCount => _buffer.WrittenCount;

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.WrittenMemory;

    /// <summary>The written bytes as an array segment (for a read-only stream without copying).</summary>
    public ArraySegment<byte> WrittenSegment =>
        MemoryMarshal.TryGetArray(_buffer.WrittenMemory, out var segment) ? segment : new ArraySegment<byte>(_buffer.WrittenSpan.ToArray());

    /// <summary>Forgets the content and keeps the memory for the next batch.</summary>
    public void Clear() => _buffer.ResetWrittenCount();

    public void WriteUInt8(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }

    public void WriteBool(bool value) => WriteUInt8(value ? (byte)1 : (byte)0);

    public void WriteInt8(sbyte value) => WriteUInt8(unchecked((byte)value));

    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.GetSpan(2), value);
        _buffer.Advance(2);
    }

    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }

    public void WriteUInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    public void WriteFloat32(float value)
    {
        BinaryPrimitives.WriteSingleLittleEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }

    public void WriteFloat64(double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
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
        Encoding.UTF8.GetBytes(value, _buffer.GetSpan(byteCount));
        _buffer.Advance(byteCount);
    }

    /// <summary>String column from raw bytes (ClickHouse strings are byte strings).</summary>
    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteLength(value.Length);
        _buffer.Write(value);
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
        _buffer.Write(values);
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
        var span = _buffer.GetSpan(5);
        uint value = (uint)length;
        int i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[i++] = (byte)value;
        _buffer.Advance(i);
    }

    private static void ThrowDateTimeOutOfRange(DateTimeOffset value) =>
        throw new ArgumentOutOfRangeException(nameof(value), value, "ClickHouse DateTime holds 1970-01-01 to 2106-02-07 UTC.");
}
