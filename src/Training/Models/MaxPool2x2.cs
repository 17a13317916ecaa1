using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace FedActors.Training.Models;

/// <summary>
/// 2×2 max-pooling with stride 2, as <c>nn.MaxPool2d(2)</c>: the same values, and the same gradient routing (all of an
/// output's gradient goes to one input of its window: the first maximum in row-major window order, or the last NaN).
/// Channels-last inputs (NHWC memory) with fewer than 16 channels and even height and width take a kernel of its own;
/// any other input goes to libtorch's pooling.
/// </summary>
/// <remarks>
/// libtorch's channels-last pooling vectorizes across channels only, so with fewer channels than a vector holds (simple-cnn's
/// first pooling has 6) it runs a branching scalar loop per value; this kernel is branch-free and vectorized across the row
/// (measurements: docs/2026-11-30-maxpool2x2.md).
/// </remarks>
public sealed class MaxPool2x2 : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates the layer.</summary>
    public MaxPool2x2() : base(nameof(MaxPool2x2))
    {
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) =>
        Fits(input) ? ChannelsLastMaxPool.apply(input) : nn.functional.max_pool2d(input, 2);

    /// <summary>Channels from which libtorch's channels-last kernel fills whole AVX-512 vectors and this one is not needed.</summary>
    public const int MaxOwnKernelChannels = 15;

    /// <summary>
    /// True when <paramref name="input"/> takes this layer's own kernel: 4-d float32 on the CPU, channels-last, at most
    /// <see cref="MaxOwnKernelChannels"/> channels, even height and width.
    /// </summary>
    public static bool Fits(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 4 || input.dtype != ScalarType.Float32 || input.device_type != DeviceType.CPU) return false;
        if (input.shape[1] > MaxOwnKernelChannels || input.shape[2] % 2 != 0 || input.shape[3] % 2 != 0) return false;
        using var nhwc = input.permute(0, 2, 3, 1);
        return nhwc.is_contiguous();
    }

    /// <summary>
    /// Forward over raw NHWC memory: <paramref name="output"/>[n, oh, ow, c] is the maximum of the 2×2 window, and
    /// <paramref name="position"/> the window index (0 top left, 1 top right, 2 bottom left, 3 bottom right) its gradient goes to.
    /// </summary>
    /// <remarks>
    /// libtorch scans a window in row-major order and takes a later value when it is greater or NaN, so the chosen input is
    /// the first maximum in window order, or the last NaN. This kernel gets the same choice branch-free, a row pair at a
    /// time: first the upper against the lower input row (column by column, across the whole row), then each column
    /// winner against its right neighbour's, and keeps the even windows. Ties after a ReLU are common, which is what made
    /// a branching scalar scan slow.
    /// </remarks>
    public static void Forward(ReadOnlySpan<float> input, Span<float> output, Span<byte> position, int batch, int height, int width, int channels)
    {
        int oh = height / 2, ow = width / 2, row = width * channels;
        if (input.Length != batch * height * row) throw new ArgumentException("input does not hold batch × height × width × channels values", nameof(input));
        if (output.Length != batch * oh * ow * channels || position.Length != output.Length)
            throw new ArgumentException("output and position must hold batch × height/2 × width/2 × channels values");
        var scratch = ArrayPool<float>.Shared.Rent(2 * row);
        var index = ArrayPool<int>.Shared.Rent(2 * row);
        try
        {
            var column = scratch.AsSpan(0, row);
            var pair = scratch.AsSpan(row, row);
            var columnIndex = index.AsSpan(0, row);
            var pairIndex = index.AsSpan(row, row);
            int o = 0;
            for (int n = 0; n < batch; n++)
            {
                for (int y = 0; y < oh; y++)
                {
                    var top = input.Slice((n * height + 2 * y) * row, row);
                    var bottom = input.Slice((n * height + 2 * y + 1) * row, row);
                    PickRows(top, bottom, column, columnIndex);
                    PickColumns(column, columnIndex, channels, pair, pairIndex);
                    for (int x = 0; x < ow; x++, o += channels)
                    {
                        pair.Slice(2 * x * channels, channels).CopyTo(output.Slice(o, channels));
                        var from = pairIndex.Slice(2 * x * channels, channels);
                        var to = position.Slice(o, channels);
                        for (int c = 0; c < channels; c++) to[c] = (byte)from[c];
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
            ArrayPool<int>.Shared.Return(index);
        }
    }

    /// <summary>
    /// Per value of a row: the upper input (window index 0 or 1 by column parity, added later) unless the lower one is
    /// greater or NaN; <paramref name="index"/> gets 0 for upper, 2 for lower.
    /// </summary>
    private static void PickRows(ReadOnlySpan<float> top, ReadOnlySpan<float> bottom, Span<float> value, Span<int> index)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var two = Vector256.Create(2);
            for (; i <= top.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var t = Vector256.Create(top.Slice(i, Vector256<float>.Count));
                var b = Vector256.Create(bottom.Slice(i, Vector256<float>.Count));
                var lower = Vector256.GreaterThan(b, t) | ~Vector256.Equals(b, b);
                Vector256.ConditionalSelect(lower, b, t).CopyTo(value.Slice(i));
                (lower.AsInt32() & two).CopyTo(index.Slice(i));
            }
        }
        for (; i < top.Length; i++)
        {
            bool lower = bottom[i] > top[i] || float.IsNaN(bottom[i]);
            value[i] = lower ? bottom[i] : top[i];
            index[i] = lower ? 2 : 0;
        }
    }

    /// <summary>
    /// Per value j of a row (j + channels inside it): the left column's winner unless the right one's (j + channels) comes
    /// first in libtorch's scan, that is, is greater; or equal with a lower window index; or NaN, where the left is not NaN
    /// or has a lower index. The right column's indices gain 1. Only even columns (whole windows) are used.
    /// </summary>
    private static void PickColumns(ReadOnlySpan<float> value, ReadOnlySpan<int> index, int channels, Span<float> best, Span<int> bestIndex)
    {
        int n = value.Length - channels, i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var one = Vector256.Create(1);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var l = Vector256.Create(value.Slice(i, Vector256<float>.Count));
                var r = Vector256.Create(value.Slice(i + channels, Vector256<float>.Count));
                var il = Vector256.Create(index.Slice(i, Vector256<int>.Count));
                var ir = Vector256.Create(index.Slice(i + channels, Vector256<int>.Count)) + one;
                var rightFirst = Vector256.LessThan(ir, il).AsSingle();
                var rNaN = ~Vector256.Equals(r, r);
                var lNaN = ~Vector256.Equals(l, l);
                var right = Vector256.GreaterThan(r, l)
                    | (Vector256.Equals(r, l) & rightFirst)
                    | (rNaN & (~lNaN | ~rightFirst));
                Vector256.ConditionalSelect(right, r, l).CopyTo(best.Slice(i));
                Vector256.ConditionalSelect(right.AsInt32(), ir, il).CopyTo(bestIndex.Slice(i));
            }
        }
        for (; i < n; i++)
        {
            float l = value[i], r = value[i + channels];
            int il = index[i], ir = index[i + channels] + 1;
            bool rightFirst = ir < il;
            bool right = r > l || (r == l && rightFirst) || (float.IsNaN(r) && (!float.IsNaN(l) || !rightFirst));
            best[i] = right ? r : l;
            bestIndex[i] = right ? ir : il;
        }
    }

    /// <summary>
    /// Backward over raw NHWC memory: every output's gradient lands on the input <see cref="Forward"/> chose (added to
    /// +0, as libtorch does, so -0 lands as +0), every other input gets +0. <paramref name="inputGradient"/> is overwritten.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> outputGradient, ReadOnlySpan<byte> position, Span<float> inputGradient, int batch, int height, int width, int channels)
    {
        int oh = height / 2, ow = width / 2, row = width * channels;
        if (inputGradient.Length != batch * height * row) throw new ArgumentException("inputGradient does not hold batch × height × width × channels values", nameof(inputGradient));
        if (outputGradient.Length != batch * oh * ow * channels || position.Length != outputGradient.Length)
            throw new ArgumentException("outputGradient and position must hold batch × height/2 × width/2 × channels values");
        inputGradient.Clear();
        ref float src = ref MemoryMarshal.GetReference(outputGradient);
        ref byte at = ref MemoryMarshal.GetReference(position);
        ref float dst = ref MemoryMarshal.GetReference(inputGradient);
        nint o = 0;
        for (int n = 0; n < batch; n++)
        {
            for (int y = 0; y < oh; y++)
            {
                ref float top = ref Unsafe.Add(ref dst, (n * height + 2 * y) * row);
                for (int x = 0; x < ow; x++)
                {
                    ref float window = ref Unsafe.Add(ref top, 2 * x * channels);
                    for (int c = 0; c < channels; c++, o++)
                    {
                        int k = Unsafe.Add(ref at, o);
                        // libtorch adds into zeros: a gradient of -0 lands as +0, and so it must here for bit-equal training.
                        Unsafe.Add(ref window, (k >> 1) * row + (k & 1) * channels + c) = 0f + Unsafe.Add(ref src, o);
                    }
                }
            }
        }
    }

    /// <summary>The autograd function behind <see cref="MaxPool2x2"/> for channels-last inputs.</summary>
    private sealed class ChannelsLastMaxPool : autograd.SingleTensorFunction<ChannelsLastMaxPool>
    {
        public override string Name => nameof(ChannelsLastMaxPool);

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var input = (Tensor)vars[0];
            int n = (int)input.shape[0], c = (int)input.shape[1], h = (int)input.shape[2], w = (int)input.shape[3];
            using var nhwc = input.permute(0, 2, 3, 1);
            var output = empty(n, h / 2, w / 2, c);
            var position = empty(new long[] { n, h / 2, w / 2, c }, ScalarType.Byte);
            Forward(MemoryMarshal.Cast<byte, float>(nhwc.bytes), MemoryMarshal.Cast<byte, float>(output.bytes), position.bytes, n, h, w, c);
            ctx.save_for_backward([position]);
            ctx.save_data("shape", new[] { n, c, h, w });
            return output.permute(0, 3, 1, 2);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
        {
            var position = ctx.get_saved_variables()[0];
            var s = (int[])ctx.get_data("shape");
            int n = s[0], c = s[1], h = s[2], w = s[3];
            // The gradient comes in whatever layout the next layer produced (a flatten gives NCHW order).
            using var g = grad_output.permute(0, 2, 3, 1).contiguous();
            var gradInput = empty(n, h, w, c);
            Backward(MemoryMarshal.Cast<byte, float>(g.bytes), position.bytes, MemoryMarshal.Cast<byte, float>(gradInput.bytes), n, h, w, c);
            return [gradInput.permute(0, 3, 1, 2)];
        }
    }
}
