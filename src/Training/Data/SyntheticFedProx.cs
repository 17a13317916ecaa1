namespace FedActors.Training.Data;

/// <summary>
/// The Synthetic(α, β) and Synthetic-IID datasets of FedProx (Li et al. 2020), generated per device on demand.
/// </summary>
/// <remarks>
/// <para>Follows the reference generator (litian96/FedProx, <c>data/synthetic_*/generate_synthetic.py</c> and
/// <c>synthetic_iid/generate_iid.py</c>): 60 features, 10 classes; device k has <c>int(lognormal(4, 2)) + 50</c>
/// samples; u_k ~ N(0, α) is the common mean of every entry of W_k (60×10) and b_k (10), each N(u_k, 1);
/// B_k ~ N(0, β); v_k ~ N(B_k, 1) per feature; x ~ N(v_k, Σ) with Σ diagonal, Σ_jj = (j+1)^−1.2 for j = 0..59;
/// y = argmax softmax(x·W_k + b_k). The first <c>int(0.9·n)</c> samples are the training split, the rest the test split
/// (the reference shuffles first; the samples are i.i.d., so that changes nothing). IID variant: a single W, b ~ N(0, 1)
/// for all devices (drawn from the seed alone) and v_k = 0.</para>
/// <para>Everything about device k derives from (seed, k) through <see cref="DeterministicRandom"/>, so a population of
/// any size needs no storage and devices can be generated in any order. Numbers differ from numpy's streams.</para>
/// <para>Labels are computed from the float32 features as stored, so the labels agree exactly with what a model sees.</para>
/// <para>Size: the log-normal count is kept faithful, so it is heavy-tailed (median ≈ 104, mean ≈ e^6 + 50 ≈ 453;
/// one device in a thousand has over ~26,000 samples). Only to keep arrays allocatable is it capped at
/// <see cref="MaxSamplesPerDevice"/>, which a draw exceeds with probability below 10^−10.</para>
/// </remarks>
public static class SyntheticFedProx
{
    /// <summary>Features per sample.</summary>
    public const int Dimension = 60;

    /// <summary>Number of classes.</summary>
    public const int NumClasses = 10;

    /// <summary>Largest sample count of one device: the most rows a float array of 60-feature samples can hold.</summary>
    public const int MaxSamplesPerDevice = 35_791_393; // Array.MaxLength / 60

    private const ulong DevicePurpose = 0x5E7D_0001;
    private const ulong SamplePurpose = 0x5E7D_0002;
    private const ulong GlobalModelPurpose = 0x5E7D_0003;

    /// <summary>The train and test splits of device <paramref name="clientId"/> (sample shape [60], 10 classes).</summary>
    /// <param name="settings">α, β and the IID switch.</param>
    /// <param name="seed">Master seed of the run.</param>
    /// <param name="clientId">Device index, ≥ 0.</param>
    public static (LabeledDataset Train, LabeledDataset Test) Generate(SyntheticSettings settings, ulong seed, int clientId)
    {
        var device = Device(settings, seed, clientId);
        var (features, labels) = Sample(device, seed, clientId, device.SampleCount);
        return Split($"{settings.DisplayName}/client-{clientId}", features, labels);
    }

    /// <summary>
    /// The train split of device <paramref name="clientId"/> alone, equal to <see cref="Generate"/>'s: its samples are the
    /// first of the device's stream, so the test samples need not be drawn nor the split copied (what a client trains on).
    /// </summary>
    public static LabeledDataset GenerateTrain(SyntheticSettings settings, ulong seed, int clientId)
    {
        var device = Device(settings, seed, clientId);
        var (features, labels) = Sample(device, seed, clientId, TrainCount(device.SampleCount));
        return new LabeledDataset($"{settings.DisplayName}/client-{clientId}/train", features, labels, [Dimension], NumClasses);
    }

    /// <summary>
    /// The test splits of devices 0 … <paramref name="clients"/> − 1 concatenated, for central evaluation
    /// (as FedProx evaluates on the union of the devices' test data).
    /// </summary>
    public static LabeledDataset PooledTest(SyntheticSettings settings, ulong seed, int clients)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(clients);
        var parts = new LabeledDataset[clients];
        Parallel.For(0, clients, k => parts[k] = Generate(settings, seed, k).Test);
        var features = new float[parts.Sum(p => (long)p.Features.Length)];
        var labels = new int[parts.Sum(p => p.Count)];
        long f = 0;
        int l = 0;
        foreach (var part in parts)
        {
            part.Features.CopyTo(features, f);
            part.Labels.CopyTo(labels, l);
            f += part.Features.Length;
            l += part.Count;
        }
        return new LabeledDataset($"{settings.DisplayName}/test", features, labels, [Dimension], NumClasses);
    }

    /// <summary>Training split size for <paramref name="samples"/> samples: <c>int(0.9 · n)</c>, as the reference.</summary>
    public static int TrainCount(int samples) => (int)(0.9 * samples);

    /// <summary>
    /// Samples (train and test) device <paramref name="clientId"/> holds, without generating them: the first draw
    /// of the device's stream, as <see cref="Generate"/> makes it. Costs a few hundred nanoseconds and allocates nothing.
    /// </summary>
    public static int SampleCount(ulong seed, int clientId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(clientId);
        return DrawSampleCount(DeterministicRandom.For(seed, (ulong)clientId, DevicePurpose));
    }

    // The sample count is the device stream's first draw, whatever α, β and the IID switch.
    private static int DrawSampleCount(DeterministicRandom rng) =>
        (int)Math.Min(Math.Floor(rng.NextLogNormal(4, 2)) + 50, MaxSamplesPerDevice);

    /// <summary>The hidden model and sample count of one device.</summary>
    internal static SyntheticDevice Device(SyntheticSettings settings, ulong seed, int clientId)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(clientId);
        var rng = DeterministicRandom.For(seed, (ulong)clientId, DevicePurpose);
        int samples = DrawSampleCount(rng);

        var meanX = new double[Dimension];
        double[] w, b;
        if (settings.Iid)
        {
            var global = DeterministicRandom.For(seed, 0, GlobalModelPurpose);
            w = Normals(global, 0, Dimension * NumClasses);
            b = Normals(global, 0, NumClasses);
        }
        else
        {
            double u = rng.NextNormal(0, settings.Alpha); // mean_b = mean_W in the reference
            double bk = rng.NextNormal(0, settings.Beta);
            for (int j = 0; j < Dimension; j++)
                meanX[j] = rng.NextNormal(bk, 1);
            w = Normals(rng, u, Dimension * NumClasses);
            b = Normals(rng, u, NumClasses);
        }
        return new SyntheticDevice(w, b, meanX, samples);
    }

    /// <summary>Draws the first <paramref name="count"/> of the device's samples (x ~ N(v_k, Σ)) and labels them with its model.</summary>
    internal static (float[] Features, int[] Labels) Sample(SyntheticDevice device, ulong seed, int clientId, int count)
    {
        var rng = DeterministicRandom.For(seed, (ulong)clientId, SamplePurpose);
        Span<double> sd = stackalloc double[Dimension];
        for (int j = 0; j < Dimension; j++)
            sd[j] = Math.Pow(j + 1, -0.6); // sqrt(Σ_jj) = ((j+1)^-1.2)^0.5

        var features = new float[(long)count * Dimension];
        var labels = new int[count];
        for (int i = 0; i < labels.Length; i++)
        {
            var x = features.AsSpan(i * Dimension, Dimension);
            for (int j = 0; j < Dimension; j++)
                x[j] = (float)rng.NextNormal(device.MeanX[j], sd[j]);
            labels[i] = device.Label(x);
        }
        return (features, labels);
    }

    private static (LabeledDataset Train, LabeledDataset Test) Split(string name, float[] features, int[] labels)
    {
        int train = TrainCount(labels.Length);
        return (
            new LabeledDataset($"{name}/train", features[..(train * Dimension)], labels[..train], [Dimension], NumClasses),
            new LabeledDataset($"{name}/test", features[(train * Dimension)..], labels[train..], [Dimension], NumClasses));
    }

    private static double[] Normals(DeterministicRandom rng, double mean, int count)
    {
        var values = new double[count];
        for (int i = 0; i < count; i++)
            values[i] = rng.NextNormal(mean, 1);
        return values;
    }
}
