using System.Numerics.Tensors;

namespace FedActors.Actors.Aggregation;

/// <summary>
/// <c>geometric-median</c>: the point minimising the sum of Euclidean distances to the updates, by the smoothed Weiszfeld
/// iteration of RFA (Pillutla et al., IEEE TSP 2022): from the mean, z ← Σ βᵢ xᵢ / Σ βᵢ with βᵢ = 1 / max(ν, ‖z − xᵢ‖),
/// until z moves less than a millionth of its norm or after 100 iterations. Up to half the updates minus one can be
/// arbitrary. The updates count alike.
/// </summary>
public sealed class GeometricMedian : IUpdateCombiner
{
    /// <summary>The name in <c>fedactors.server.aggregator</c>.</summary>
    public const string CombinerName = "geometric-median";

    private const int MaxIterations = 100;
    private const double Smoothing = 1e-6, Tolerance = 1e-6;

    private float[] _previous = [], _difference = [];
    private double[] _weights = [];

    /// <inheritdoc />
    public string Name => CombinerName;

    /// <summary>Weiszfeld iterations the last combination took (for tests and reports).</summary>
    public int Iterations { get; private set; }

    /// <inheritdoc />
    public void Combine(ReadOnlySpan<BufferedUpdate> updates, Span<float> result)
    {
        int n = Combiners.RequireUpdates(updates, result.Length, 1, Name);
        int d = result.Length;
        if (_previous.Length != d) (_previous, _difference) = (new float[d], new float[d]);
        if (_weights.Length != n) _weights = new double[n];
        result.Clear();
        foreach (var u in updates) TensorPrimitives.Add(result, u.Delta, result);
        TensorPrimitives.Multiply(result, 1f / n, result);
        for (Iterations = 0; Iterations < MaxIterations;)
        {
            Iterations++;
            result.CopyTo(_previous);
            double total = 0;
            for (int i = 0; i < n; i++)
            {
                TensorPrimitives.Subtract(_previous, updates[i].Delta, _difference);
                _weights[i] = 1 / Math.Max(Smoothing, TensorPrimitives.Norm<float>(_difference));
                total += _weights[i];
            }
            result.Clear();
            for (int i = 0; i < n; i++) TensorPrimitives.MultiplyAdd(updates[i].Delta, (float)(_weights[i] / total), result, result);
            TensorPrimitives.Subtract(result, _previous, _difference);
            if (TensorPrimitives.Norm<float>(_difference) <= Tolerance * Math.Max(1, TensorPrimitives.Norm<float>(result))) break;
        }
    }
}
