namespace FedActors.Actors.Updates;

/// <summary>LEB128 unsigned varints: 7 bits per byte, low bits first, the high bit set on every byte but the last.</summary>
public static class Varint
{
    /// <summary>Most bytes a 32-bit value takes.</summary>
    public const int MaxBytes = 5;

    /// <summary>Bytes <paramref name="value"/> takes.</summary>
    public static int SizeOf(uint value) => value < 1u << 7 ? 1 : value < 1u << 14 ? 2 : value < 1u << 21 ? 3 : value < 1u << 28 ? 4 : 5;

    /// <summary>Writes <paramref name="value"/> at the start of <paramref name="destination"/>; returns the bytes written.</summary>
    public static int Write(uint value, Span<byte> destination)
    {
        int n = 0;
        while (value >= 0x80)
        {
            destination[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[n++] = (byte)value;
        return n;
    }

    /// <summary>Reads a value from the start of <paramref name="source"/>; <paramref name="consumed"/> says how many bytes it took.</summary>
    /// <exception cref="InvalidDataException">The bytes end inside the varint, or it runs past 32 bits.</exception>
    public static uint Read(ReadOnlySpan<byte> source, out int consumed)
    {
        uint value = 0;
        for (int i = 0; i < MaxBytes; i++)
        {
            if (i >= source.Length) throw new InvalidDataException("truncated: the bytes end inside a varint");
            uint b = source[i];
            if (i == MaxBytes - 1 && b > 0x0F) throw new InvalidDataException("a varint runs past 32 bits");
            value |= (b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                consumed = i + 1;
                return value;
            }
        }
        throw new InvalidDataException("a varint runs past 32 bits");
    }
}
