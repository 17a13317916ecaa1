using System.Buffers;
using System.Runtime.InteropServices;

namespace FedActors.Actors.Updates;

/// <summary>
/// A float32 array seen as its bytes, as <see cref="Memory{T}"/>: large dense updates go out in chunks that are slices
/// of the update itself, never a copy (an update of McMahan's CNN is 6.65 MB). Little-endian hosts only: elsewhere the
/// codec encodes into a byte array instead.
/// </summary>
/// <param name="values">The array; it must not change while the memory is in use.</param>
internal sealed class FloatBytes(float[] values) : MemoryManager<byte>
{
    /// <inheritdoc />
    public override Span<byte> GetSpan() => MemoryMarshal.AsBytes(values.AsSpan());

    /// <inheritdoc />
    public override unsafe MemoryHandle Pin(int elementIndex = 0)
    {
        if ((uint)elementIndex > (uint)values.Length * sizeof(float)) throw new ArgumentOutOfRangeException(nameof(elementIndex));
        // One handle per pin, freed by the MemoryHandle itself: pins may overlap.
        var handle = GCHandle.Alloc(values, GCHandleType.Pinned);
        return new MemoryHandle((byte*)handle.AddrOfPinnedObject() + elementIndex, handle, this);
    }

    /// <inheritdoc />
    public override void Unpin() { }

    /// <inheritdoc />
    protected override void Dispose(bool disposing) { }
}
