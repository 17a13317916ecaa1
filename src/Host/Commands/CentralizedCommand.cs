using System.Diagnostics;
using System.Threading.Channels;
using FedActors.Host.Cli;
using FedActors.Host.Data;
using FedActors.Host.Progress;
using FedActors.Host.Runs;
using FedActors.Host.Settings;
using FedActors.Training;
using FedActors.Training.Centralized;
using FedActors.Training.Evaluation;
using FedActors.Training.LocalTraining;
using FedActors.Training.Models;

namespace FedActors.Host.Commands;

/// <summary>
/// <c>fedactors centralized</c>: the baseline every federated run is measured against. The same model,
/// local SGD and test set as the federated experiment, trained on the pooled training data.
/// </summary>
public sealed class CentralizedCommand : ICommand
{
    private const CommonOption Accepted = CommonOption.All;

    /// <inheritdoc />
    public string Name => "centralized";

    /// <inheritdoc />
    public string Summary => "train the centralized baseline: the same model and data, pooled";

    /// <inheritdoc />
    public string Usage =>
        "Usage: fedactors centralized [--config F] [--set K=V]... [--out DIR] [--data-dir D] [--plain]\n\n" +
        "Trains fedactors.model.name on the pooled training set for fedactors.centralized.epochs epochs,\n" +
        $"evaluating on the test set, and writes summary.json, metrics.csv, run.conf and accuracy.png to DIR\n" +
        $"(default runs/<timestamp>). Without --config it reads {CommonOptions.DefaultExperimentConfig} when that file exists.\n\n" +
        "Options:\n" + CommonOptions.Describe(Accepted);

    /// <inheritdoc />
    public async Task<int> RunAsync(CommandContext ctx, string[] args, CancellationToken ct)
    {
        var options = CommonOptions.Parse(args, Accepted);
        options.RejectRemaining();
        var config = options.LoadExperimentConfig(ctx);
        var settings = config.Settings;
        var centralized = settings.Centralized.Validate();

        var (train, test) = await DatasetLoader.LoadPooledAsync(settings, line => ctx.Error.WriteLine(line), ct);
        var run = RunDirectory.Open(options.OutDir, ctx);
        await run.WriteRunConfAsync(config, ct);

        // One model trains here, so it gets the whole trainer budget (slots x threads per slot).
        int threads = settings.Trainers.Slots * settings.Trainers.EffectiveThreadsPerSlot;
        var wall = new Stopwatch();
        var rows = new List<MetricsRow>();
        CentralizedEpoch? last = null;
        double bestAccuracy = double.NaN;
        double? secondsToTarget = null;
        var status = RunStatus.Completed;

        using (var progress = RunProgress.Create(ctx, options.Plain))
        await using (var metrics = MetricsCsv.Open(run.MetricsPath))
        using (var replica = ModelReplica.For(settings.Run.ModelName, train, centralized.Sgd.BatchSize))
        {
            replica.LoadWeights(WeightInitializer.Initialize(replica.Layout, settings.Run.Seed));
            wall.Start();
            progress.Start(centralized.Epochs,
                $"centralized {settings.Run.ModelName} on {train.Name} ({train.Count:N0} samples, {replica.Layout.TotalCount:N0} parameters)");
            // Training runs on a thread of its own, where its intra-op thread count stays set; this thread writes
            // what it yields. The untrained model comes first as epoch 0, so curves start at time 0 like federated runs.
            using var stopTraining = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var epochs = Channel.CreateUnbounded<CentralizedEpoch>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            var training = TorchThread.RunAsync("centralized", threads, () =>
            {
                try
                {
                    epochs.Writer.TryWrite(new CentralizedEpoch(0, 0, 0, double.NaN, 0, centralized.Sgd.LearningRate,
                        Evaluator.Evaluate(replica, test)));
                    foreach (var epoch in CentralizedTraining.Run(replica, train, test, centralized, settings.Run.Seed, stopTraining.Token))
                        epochs.Writer.TryWrite(epoch);
                    return true;
                }
                finally
                {
                    epochs.Writer.Complete();
                }
            });
            try
            {
                await foreach (var epoch in epochs.Reader.ReadAllAsync(CancellationToken.None))
                {
                    if (epoch.Epoch == 0)
                    {
                        var initial = epoch.Evaluation!;
                        var start = new MetricsRow(0, 0, 0, 0, initial.Accuracy, initial.Loss, null, null, 0, 0);
                        rows.Add(start);
                        await metrics.AppendAsync(start, CancellationToken.None);
                        progress.Report(0, initial.Accuracy, initial.Loss, "initial model");
                        continue;
                    }
                    last = epoch;
                    if (epoch.Evaluation is { } eval)
                    {
                        var row = new MetricsRow(epoch.Steps, wall.Elapsed.TotalSeconds, wall.Elapsed.TotalSeconds, 0,
                            eval.Accuracy, eval.Loss, null, null, 0, 0);
                        rows.Add(row);
                        await metrics.AppendAsync(row, CancellationToken.None);
                        if (!(eval.Accuracy <= bestAccuracy)) bestAccuracy = eval.Accuracy;
                        if (secondsToTarget is null && settings.Run.TargetAccuracy is { } target && eval.Accuracy >= target)
                            secondsToTarget = row.WallSeconds;
                    }
                    progress.Report(epoch.Epoch, epoch.Evaluation?.Accuracy, epoch.Evaluation?.Loss,
                        $"train loss {epoch.TrainLoss:F4}, lr {epoch.LearningRate:G3}");
                }
                await training;
                progress.Complete(rows.Count > 0 ? $"final accuracy {rows[^1].Accuracy:P2}" : null);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                status = RunStatus.Stopped;
                progress.Stop("stopped by the user");
            }
            finally
            {
                // The replica is disposed below: if writing the outputs failed, training must stop first.
                if (!training.IsCompleted)
                {
                    stopTraining.Cancel();
                    await training.ContinueWith(_ => { }, TaskScheduler.Default);
                }
            }

            var finalEval = rows.Count > 0 ? rows[^1] : null;
            var summary = new RunSummary
            {
                Status = status,
                Algorithm = "centralized",
                Dataset = settings.Data.Dataset,
                Model = settings.Run.ModelName,
                Partition = null,
                Seed = settings.Seed,
                ServerSteps = last?.Steps ?? 0,
                FinalAccuracy = finalEval?.Accuracy,
                FinalLoss = finalEval?.Loss,
                BestAccuracy = double.IsNaN(bestAccuracy) ? null : bestAccuracy,
                TargetAccuracy = settings.Run.TargetAccuracy,
                VirtualSecondsToTarget = secondsToTarget,
                VirtualSeconds = wall.Elapsed.TotalSeconds,
                WallSeconds = wall.Elapsed.TotalSeconds,
                SamplesTrained = last?.SamplesTrained ?? 0,
                TrainSeconds = last?.TrainSeconds ?? 0,
                ModelSha256 = ModelHash.Sha256(replica.ReadWeights()),
            };
            await summary.WriteAsync(run.SummaryPath, CancellationToken.None);
        }

        if (rows.Count > 0)
            AccuracyPlot.Save(run.PlotPath, rows, $"centralized {settings.Run.ModelName} on {settings.Data.Dataset}");
        await ctx.Out.WriteLineAsync(
            $"{(status == RunStatus.Completed ? "completed" : "stopped")}: final accuracy {(rows.Count > 0 ? rows[^1].Accuracy.ToString("P2") : "n/a")}, outputs in {run.FullPath}");
        // A graceful stop is not a failure: the outputs so far are written and valid.
        return 0;
    }
}
