using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using FedActors.Actors.Updates;

namespace FedActors.Actors.Persistence;

/// <summary>
/// Appends little-endian primitives to a buffer rented from <see cref="ArrayPool{T}.Shared"/>; dispose it
/// to give the buffer back. Float arrays are copied as raw bytes, never element by element.
/// </summary>
internal sealed class StateWriter : IDisposable
{
    // Throws on lone surrogates instead of writing U+FFFD: a string that cannot round-trip must not be persisted.
    internal static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private byte[] _buffer;
    private int _position;

    /// <param name="capacity">Expected size in bytes; the buffer grows past it when needed.</param>
    public StateWriter(int capacity)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Clamp(capacity, 256, Array.MaxLength));
    }

    /// <summary>Bytes written so far.</summary>
    public int Position => _position;

    /// <summary>Everything written so far; invalidated by the next write.</summary>
    public Span<byte> Written => _buffer.AsSpan(0, _position);

    public void WriteByte(byte value) => Reserve(1)[0] = value;

    public void WriteBool(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Reserve(2), value);

    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Reserve(4), value);

    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Reserve(4), value);

    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Reserve(8), value);

    /// <summary>The IEEE 754 bits as they are, so NaN payloads, signed zeros and infinities survive.</summary>
    public void WriteDouble(double value) => WriteInt64(BitConverter.DoubleToInt64Bits(value));

    /// <summary>A presence byte, then the value when there is one.</summary>
    public void WriteNullableDouble(double? value)
    {
        WriteBool(value.HasValue);
        if (value is double v) WriteDouble(v);
    }

    /// <summary>Byte count (int32), then UTF-8.</summary>
    /// <exception cref="ArgumentException">The string is not valid UTF-16 (a lone surrogate), so it would not read back equal.</exception>
    public void WriteString(string value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (value is null) throw new ArgumentNullException(name, $"{name} is null and cannot be persisted");
        int count;
        try
        {
            count = Utf8.GetByteCount(value);
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException($"{name} holds a lone surrogate and would not read back equal", name, e);
        }
        WriteInt32(count);
        Utf8.GetBytes(value, Reserve(count));
    }

    /// <summary>A presence byte, then the string when there is one.</summary>
    public void WriteNullableString(string? value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        WriteBool(value is not null);
        if (value is not null) WriteString(value, name);
    }

    /// <summary>Element count (int32), then the raw little-endian float32 bytes.</summary>
    public void WriteFloats(float[] values, [CallerArgumentExpression(nameof(values))] string? name = null)
    {
        if (values is null) throw new ArgumentNullException(name, $"{name} is null and cannot be persisted");
        WriteInt32(values.Length);
        var destination = Reserve(checked(values.Length * sizeof(float)));
        if (BitConverter.IsLittleEndian)
            MemoryMarshal.AsBytes(values.AsSpan()).CopyTo(destination);
        else
            BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<float, int>(values.AsSpan()), MemoryMarshal.Cast<byte, int>(destination));
    }

    /// <summary>A presence byte, then the array when there is one.</summary>
    public void WriteNullableFloats(float[]? values, [CallerArgumentExpression(nameof(values))] string? name = null)
    {
        WriteBool(values is not null);
        if (values is not null) WriteFloats(values, name);
    }

    /// <summary>An update payload in its one encoding (<see cref="UpdatePayloadCodec"/>), which delimits itself.</summary>
    public void WritePayload(UpdatePayload payload, [CallerArgumentExpression(nameof(payload))] string? name = null)
    {
        if (payload is null) throw new ArgumentNullException(name, $"{name} is null and cannot be persisted");
        UpdatePayloadCodec.Write(payload, Reserve(checked((int)UpdatePayloadCodec.SizeOf(payload))));
    }

    /// <summary>Element count (int32), then each element.</summary>
    public void WriteList<T>(IReadOnlyList<T> items, Action<StateWriter, T> write, [CallerArgumentExpression(nameof(items))] string? name = null)
    {
        if (items is null) throw new ArgumentNullException(name, $"{name} is null and cannot be persisted");
        WriteInt32(items.Count);
        for (var i = 0; i < items.Count; i++) write(this, items[i]);
    }

    /// <summary>Entry count (int32), then key and value of each entry in ascending key order, so equal maps give equal bytes.</summary>
    public void WriteMap<TKey, TValue>(IReadOnlyDictionary<TKey, TValue> map, IComparer<TKey> order, Action<StateWriter, TKey> writeKey,
        Action<StateWriter, TValue> writeValue, [CallerArgumentExpression(nameof(map))] string? name = null)
        where TKey : notnull
    {
        if (map is null) throw new ArgumentNullException(name, $"{name} is null and cannot be persisted");
        var keys = map.Keys.ToArray();
        Array.Sort(keys, order);
        WriteInt32(keys.Length);
        foreach (var key in keys)
        {
            writeKey(this, key);
            writeValue(this, map[key]);
        }
    }

    /// <summary>Advances past <paramref name="count"/> bytes and returns them for the caller to fill.</summary>
    public Span<byte> Reserve(int count)
    {
        if (_buffer.Length - _position < count) Grow(count);
        var span = _buffer.AsSpan(_position, count);
        _position += count;
        return span;
    }

    /// <summary>A copy of the bytes written, sized exactly.</summary>
    public byte[] ToArray() => Written.ToArray();

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
    }

    private void Grow(int count)
    {
        long needed = (long)_position + count;
        if (needed > Array.MaxLength)
            throw new InvalidOperationException($"the state needs {needed} bytes; a blob holds at most {Array.MaxLength}");
        var next = ArrayPool<byte>.Shared.Rent((int)Math.Min(Array.MaxLength, Math.Max(needed, 2L * _buffer.Length)));
        _buffer.AsSpan(0, _position).CopyTo(next);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = next;
    }
}
