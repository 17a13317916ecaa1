using FedActors.Host.Settings;
using FedActors.Training.Data;

namespace FedActors.Host.Data;

/// <summary>Loads the configured dataset (<c>fedactors.data.*</c>) for the host's commands.</summary>
public static class DatasetLoader
{
    /// <summary>
    /// The pooled training set and the central test set. IDX datasets are located as
    /// <see cref="DatasetAcquisition"/> describes; Synthetic(α, β) pools the devices of the configured
    /// population (the centralized view of the same data the clients hold).
    /// </summary>
    /// <exception cref="FedActorsException">The dataset cannot be found or a file is malformed.</exception>
    public static async Task<(LabeledDataset Train, LabeledDataset Test)> LoadPooledAsync(
        FedActorsSettings settings, Action<string>? log, CancellationToken ct)
    {
        var data = settings.Data;
        if (data.Dataset == "synthetic")
        {
            var (train, test, _) = PoolSynthetic(settings);
            return (train, test);
        }
        try
        {
            // Attempts are only worth showing when they fail (the exception lists them); say where the data came from.
            var options = AcquisitionOptions(data, log: null);
            var dir = await DatasetAcquisition.LocateAsync(options, ct);
            log?.Invoke($"{data.Dataset}: {dir}");
            return options.ResolveSpec().Load(dir, data.Normalize);
        }
        catch (DatasetUnavailableException e)
        {
            throw new FedActorsException(e.Message, e);
        }
        catch (DatasetFormatException e)
        {
            throw new FedActorsException(e.Message, e);
        }
    }

    /// <summary>
    /// The central test set alone: Synthetic(α, β)'s is generated, an IDX dataset's test files are read and its
    /// training files are not (they are located, with their headers checked, as <see cref="LoadPooledAsync"/> does).
    /// </summary>
    /// <exception cref="FedActorsException">The dataset cannot be found or a file is malformed.</exception>
    public static async Task<LabeledDataset> LoadTestAsync(FedActorsSettings settings, Action<string>? log, CancellationToken ct)
    {
        var data = settings.Data;
        if (data.Dataset == "synthetic") return SyntheticTest(settings);
        try
        {
            var options = AcquisitionOptions(data, log: null);
            var dir = await DatasetAcquisition.LocateAsync(options, ct);
            log?.Invoke($"{data.Dataset}: {dir} (test set only)");
            return options.ResolveSpec().LoadTest(dir, data.Normalize);
        }
        catch (DatasetUnavailableException e)
        {
            throw new FedActorsException(e.Message, e);
        }
        catch (DatasetFormatException e)
        {
            throw new FedActorsException(e.Message, e);
        }
    }

    /// <summary>Acquisition options for <paramref name="data"/>: the configured dir, downloads and apt as allowed.</summary>
    public static DatasetAcquisitionOptions AcquisitionOptions(DataSettings data, Action<string>? log) => new()
    {
        DatasetName = data.Dataset,
        ConfiguredDir = string.IsNullOrEmpty(data.Dir) ? null : data.Dir,
        AllowDownload = data.AllowDownload,
        AllowApt = data.AllowDownload,
        Log = log,
    };

    /// <summary>The Training library's view of <c>fedactors.data.synthetic</c>.</summary>
    public static Training.Data.SyntheticSettings Synthetic(DataSettings data) =>
        new(data.Synthetic.Alpha, data.Synthetic.Beta, data.Synthetic.Iid);

    /// <summary>
    /// Synthetic(α, β) devices of the configured population pooled one after another, with each
    /// device's training-sample count (its natural partition) and the pooled test splits.
    /// </summary>
    public static (LabeledDataset Train, LabeledDataset Test, int[] ClientSizes) PoolSynthetic(FedActorsSettings settings)
    {
        var synthetic = Synthetic(settings.Data);
        int clients = settings.Population.Clients;
        var features = new List<float>();
        var labels = new List<int>();
        var sizes = new int[clients];
        for (int c = 0; c < clients; c++)
        {
            var (train, _) = SyntheticFedProx.Generate(synthetic, settings.Run.Seed, c);
            features.AddRange(train.Features);
            labels.AddRange(train.Labels);
            sizes[c] = train.Count;
        }
        var pooled = new LabeledDataset($"synthetic-{synthetic.DisplayName}/train", [.. features], [.. labels],
            [SyntheticFedProx.Dimension], SyntheticFedProx.NumClasses);
        return (pooled, SyntheticTest(settings), sizes);
    }

    /// <summary>The central Synthetic(α, β) test set: the test splits of the first <c>fedactors.data.synthetic.test-clients</c> devices.</summary>
    public static LabeledDataset SyntheticTest(FedActorsSettings settings) =>
        SyntheticFedProx.PooledTest(Synthetic(settings.Data), settings.Run.Seed, settings.Data.Synthetic.TestClientsOf(settings.Population.Clients));
}
