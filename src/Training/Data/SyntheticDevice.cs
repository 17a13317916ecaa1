namespace FedActors.Training.Data;

/// <summary>The hidden model of one synthetic device: what its samples are drawn from and labeled by.</summary>
/// <param name="W">Weights, <see cref="SyntheticFedProx.Dimension"/> × <see cref="SyntheticFedProx.NumClasses"/>, row-major (W[j, c] at j·10 + c).</param>
/// <param name="B">Bias, one per class.</param>
/// <param name="MeanX">v_k, the mean of the device's inputs.</param>
/// <param name="SampleCount">Samples on the device, train and test together.</param>
internal sealed record SyntheticDevice(double[] W, double[] B, double[] MeanX, int SampleCount)
{
    /// <summary>argmax_c (x·W + b)_c, first index on ties as <c>np.argmax</c>; softmax is monotone, so it need not be applied.</summary>
    public int Label(ReadOnlySpan<float> x)
    {
        int best = 0;
        double bestLogit = double.NegativeInfinity;
        for (int c = 0; c < B.Length; c++)
        {
            double logit = B[c];
            for (int j = 0; j < x.Length; j++)
                logit += x[j] * W[j * B.Length + c];
            if (logit > bestLogit)
            {
                bestLogit = logit;
                best = c;
            }
        }
        return best;
    }
}
