using System.Buffers.Binary;
using System.Text;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Primitives;

namespace LoadGen.Frames;

/// <summary>
/// Builds one frame's data unit field by field, noting where the time and serial fields are so that the finished
/// <see cref="FrameTemplate"/> can re-stamp them. Used once per terminal per template, never per frame.
/// </summary>
internal sealed class DataUnitWriter
{
    private readonly List<byte> _data = new(256);
    private readonly List<TimeField> _times = [];
    private readonly List<SerialField> _serials = [];

    public int Position => _data.Count;

    public DataUnitWriter Byte(int value)
    {
        _data.Add((byte)value);
        return this;
    }

    public DataUnitWriter Word(int value)
    {
        _data.Add((byte)(value >> 8));
        _data.Add((byte)value);
        return this;
    }

    public DataUnitWriter DWord(long value)
    {
        Word((int)((value >> 16) & 0xFFFF));
        return Word((int)(value & 0xFFFF));
    }

    public DataUnitWriter Bytes(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            _data.Add(b);
        }
        return this;
    }

    /// <summary>ASCII text padded with <paramref name="pad"/> (or cut) to exactly <paramref name="length"/> bytes.</summary>
    public DataUnitWriter Ascii(string text, int length, byte pad = (byte)' ')
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        for (int i = 0; i < length; i++)
        {
            _data.Add(i < bytes.Length ? bytes[i] : pad);
        }
        return this;
    }

    /// <summary>A 6-byte time placeholder that the template stamps.</summary>
    public DataUnitWriter Time(TimeFieldKind kind, int secondsBefore = 0)
    {
        _times.Add(new TimeField(FrameHeader.Size + _data.Count, kind, secondsBefore));
        for (int i = 0; i < GbTime.Size; i++)
        {
            _data.Add(0);
        }
        return this;
    }

    /// <summary>A 16-bit serial placeholder that the template stamps with its serial plus <paramref name="step"/>.</summary>
    public DataUnitWriter Serial(int step = 0)
    {
        _serials.Add(new SerialField(FrameHeader.Size + _data.Count, step));
        return Word(1);
    }

    public FrameTemplate Finish(FrameHeader header)
    {
        var data = _data.ToArray();
        var frame = new byte[FrameHeader.Overhead + data.Length];
        FrameEncoding.Write(frame, header, data);
        return new FrameTemplate(frame, [.. _times], [.. _serials]);
    }
}
