using FedActors.Training.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace FedActors.Training.Tests.Models;

public sealed class MaxPool2x2Tests
{
    [Fact]
    public void Forward_takes_the_first_maximum_of_each_window_or_its_last_NaN()
    {
        // One image, 2×4, two channels, NHWC memory: input[y][x][c]. Windows: x 0-1 and x 2-3.
        float nan = float.NaN;
        float[] input =
        [
            // y = 0: (x0 c0, x0 c1), (x1 c0, x1 c1), (x2 ...), (x3 ...)
            1, 5, 3, 5, nan, 0, 2, -1,
            // y = 1
            3, 2, 0, 5, 7, -2, nan, -3,
        ];
        var output = new float[4];
        var position = new byte[4];
        MaxPool2x2.Forward(input, output, position, batch: 1, height: 2, width: 4, channels: 2);

        // Window 0, c0: 1, 3, 3, 0 → 3, first at top right (1). c1: 5, 5, 2, 5 → 5 at top left (0).
        // Window 1, c0: NaN, 2, 7, NaN → NaN, the last NaN (bottom right, 3). c1: 0, -1, -2, -3 → 0 (0).
        Assert.Equal(3f, output[0]);
        Assert.Equal(5f, output[1]);
        Assert.True(float.IsNaN(output[2]));
        Assert.Equal(0f, output[3]);
        Assert.Equal([1, 0, 3, 0], position);
    }

    [Fact]
    public void Backward_routes_each_gradient_to_the_chosen_input_and_zeroes_the_rest()
    {
        byte[] position = [1, 0, 3, 2];
        float[] gradOut = [10, -0f, 30, 40];
        var gradIn = Enumerable.Repeat(99f, 16).ToArray(); // overwritten entirely
        MaxPool2x2.Backward(gradOut, position, gradIn, batch: 1, height: 2, width: 4, channels: 2);
        float[] expected =
        [
            0, 0, 10, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 40, 30, 0,
        ];
        Assert.Equal(expected, gradIn);
        // A -0 gradient lands as +0, as libtorch's accumulation into zeros gives.
        Assert.All(gradIn, g => Assert.False(float.IsNegative(g)));
    }

    [Theory]
    [InlineData(6, 24, false)]
    [InlineData(6, 24, true)]
    [InlineData(1, 8, false)]
    [InlineData(3, 16, true)]
    [InlineData(15, 6, false)]
    [InlineData(15, 6, true)]
    public void Matches_libtorch_pooling_on_channels_last_input_with_many_ties(int channels, int size, bool nans)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(7);
        // Rounded and rectified values tie often, as they do after a ReLU.
        var values = (randn(new long[] { 4, size, size, channels }, generator: generator) * 2).round().relu();
        // A diverging model's NaNs: libtorch routes a window's gradient to its last NaN.
        if (nans) values = where(rand(values.shape, generator: generator) < 0.1, full_like(values, float.NaN), values);
        var input = values.permute(0, 3, 1, 2); // NCHW shape, NHWC memory
        Assert.True(MaxPool2x2.Fits(input));
        // Some output gradients are -0, as ReLU's backward and products of zeros give.
        var gradOut = randn(new long[] { 4, channels, size / 2, size / 2 }, generator: generator);
        gradOut = where(gradOut.abs() < 0.3, full_like(gradOut, -0f), gradOut);

        var (refOut, refGrad) = PoolAndGrad(x => nn.functional.max_pool2d(x, 2), input, gradOut);
        using var pool = new MaxPool2x2();
        var (out_, grad) = PoolAndGrad(x => pool.call(x), input, gradOut);

        Assert.Equal(refOut.shape, out_.shape);
        // Bit for bit, signs of zero included: training must not drift from libtorch's pooling.
        Assert.True(refOut.contiguous().bytes.SequenceEqual(out_.contiguous().bytes), "pooled values differ from libtorch's");
        Assert.Equal(nans, out_.isnan().any().item<bool>());
        Assert.True(refGrad.contiguous().bytes.SequenceEqual(grad.contiguous().bytes), "input gradients differ from libtorch's");
        Assert.True(out_.permute(0, 2, 3, 1).is_contiguous(), "the output stays channels-last");
    }

    [Fact]
    public void Other_inputs_go_to_libtorch_pooling()
    {
        using var scope = NewDisposeScope();
        var nchw = randn(2, 6, 8, 8);
        var wide = randn(2, 8, 8, 16).permute(0, 3, 1, 2);
        var odd = randn(2, 7, 7, 6).permute(0, 3, 1, 2);
        Assert.False(MaxPool2x2.Fits(nchw));
        Assert.False(MaxPool2x2.Fits(wide));
        Assert.False(MaxPool2x2.Fits(odd));
        using var pool = new MaxPool2x2();
        foreach (var x in new[] { nchw, wide, odd })
            Assert.True(nn.functional.max_pool2d(x, 2).eq(pool.call(x)).all().item<bool>());
    }

    private static (Tensor Output, Tensor Grad) PoolAndGrad(Func<Tensor, Tensor> pool, Tensor input, Tensor gradOut)
    {
        var x = input.detach().requires_grad_(true);
        var y = pool(x);
        y.backward([gradOut]);
        return (y.detach(), x.grad!.detach());
    }
}
