using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using FedActors.Actors.Updates;

namespace FedActors.Actors.Persistence;

/// <summary>
/// Reads what <see cref="StateWriter"/> wrote from a payload. Every read checks the bytes left first and
/// every length and enum value is validated, so a malformed payload gives a
/// <see cref="StateFormatException"/> naming the field, never an index or end-of-stream error.
/// </summary>
internal ref struct StateReader
{
    /// <summary>Reads one element of a list.</summary>
    public delegate T Item<T>(ref StateReader reader);

    private readonly ReadOnlySpan<byte> _payload;
    private int _position;

    public StateReader(ReadOnlySpan<byte> payload, ushort formatVersion = StateSerializer.FormatVersion)
    {
        _payload = payload;
        _position = 0;
        FormatVersion = formatVersion;
    }

    /// <summary>The format version of the blob being read: a field added in a later version is absent from an older blob.</summary>
    public ushort FormatVersion { get; }

    /// <summary>Bytes not read yet.</summary>
    public readonly int Remaining => _payload.Length - _position;

    public byte ReadByte(string field) => Take(1, field)[0];

    public bool ReadBool(string field)
    {
        var b = ReadByte(field);
        return b switch
        {
            0 => false,
            1 => true,
            _ => throw Invalid($"{field} holds {b} where a boolean or presence byte (0 or 1) belongs"),
        };
    }

    public int ReadInt32(string field) => BinaryPrimitives.ReadInt32LittleEndian(Take(4, field));

    public long ReadInt64(string field) => BinaryPrimitives.ReadInt64LittleEndian(Take(8, field));

    /// <summary>The IEEE 754 bits as they were written.</summary>
    public double ReadDouble(string field) => BitConverter.Int64BitsToDouble(ReadInt64(field));

    public double? ReadNullableDouble(string field) => ReadBool(field) ? ReadDouble(field) : null;

    /// <summary>A value of <typeparamref name="TEnum"/> stored as int32; an undefined value is refused.</summary>
    public TEnum ReadEnum<TEnum>(string field) where TEnum : struct, Enum
    {
        var raw = ReadInt32(field);
        var value = (TEnum)Enum.ToObject(typeof(TEnum), raw);
        if (!Enum.IsDefined(value))
            throw Invalid($"{field} holds {raw}, not a {typeof(TEnum).Name} value ({string.Join(", ", Enum.GetValues<TEnum>().Select(v => $"{Convert.ToInt32(v)} {v}"))})");
        return value;
    }

    public string ReadString(string field)
    {
        var count = ReadCount(field, 1);
        var bytes = Take(count, field);
        try
        {
            return StateWriter.Utf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new StateFormatException(StateFormatError.InvalidValue, $"{field} is not valid UTF-8 at payload offset {_position - count}", e);
        }
    }

    public string? ReadNullableString(string field) => ReadBool(field) ? ReadString(field) : null;

    public float[] ReadFloats(string field)
    {
        var count = ReadCount(field, sizeof(float));
        var bytes = Take(count * sizeof(float), field);
        // Every element is overwritten below, so skip zeroing (the arrays are model-sized).
        var values = GC.AllocateUninitializedArray<float>(count);
        if (BitConverter.IsLittleEndian)
            bytes.CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
        else
            BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, int>(bytes), MemoryMarshal.Cast<float, int>(values.AsSpan()));
        return values;
    }

    public float[]? ReadNullableFloats(string field) => ReadBool(field) ? ReadFloats(field) : null;

    /// <summary>An update payload written by <see cref="StateWriter.WritePayload"/>.</summary>
    public UpdatePayload ReadPayload(string field)
    {
        try
        {
            var payload = UpdatePayloadCodec.Read(_payload[_position..], out int consumed);
            _position += consumed;
            return payload;
        }
        catch (InvalidDataException e)
        {
            throw new StateFormatException(StateFormatError.InvalidValue, $"{field} at payload offset {_position}: {e.Message}", e);
        }
    }

    public T[] ReadList<T>(string field, int minItemBytes, Item<T> read)
    {
        var count = ReadCount(field, minItemBytes);
        var items = new T[count];
        for (var i = 0; i < count; i++) items[i] = read(ref this);
        return items;
    }

    /// <summary>A map written by <see cref="StateWriter.WriteMap"/>; keys must be strictly ascending (no duplicates).</summary>
    public SortedDictionary<TKey, TValue> ReadMap<TKey, TValue>(string field, int minEntryBytes, IComparer<TKey> order, Item<TKey> readKey,
        Item<TValue> readValue)
        where TKey : notnull
    {
        var count = ReadCount(field, minEntryBytes);
        var map = new SortedDictionary<TKey, TValue>(order);
        TKey previous = default!;
        for (var i = 0; i < count; i++)
        {
            var key = readKey(ref this);
            if (i > 0 && order.Compare(previous, key) >= 0)
                throw Invalid($"{field} has key '{key}' after '{previous}'; keys are written once each, in ascending order");
            map.Add(key, readValue(ref this));
            previous = key;
        }
        return map;
    }

    /// <summary>An element count: not negative, and not more elements than the bytes left can hold.</summary>
    private int ReadCount(string field, int minItemBytes)
    {
        var count = ReadInt32(field);
        if (count < 0) throw Invalid($"{field} has a negative length ({count})");
        if ((long)count * minItemBytes > Remaining)
            throw new StateFormatException(StateFormatError.LengthMismatch,
                $"truncated: {field} declares {count} elements ({(long)count * minItemBytes} bytes at least) at payload offset {_position}, but only {Remaining} bytes remain");
        return count;
    }

    private ReadOnlySpan<byte> Take(int count, string field)
    {
        if (Remaining < count)
            throw new StateFormatException(StateFormatError.LengthMismatch,
                $"truncated: {field} needs {count} bytes at payload offset {_position}, but only {Remaining} remain");
        var span = _payload.Slice(_position, count);
        _position += count;
        return span;
    }

    private static StateFormatException Invalid(string message) => new(StateFormatError.InvalidValue, message);
}
