using System.Text.Json;
using FedActors.Actors.Aggregation;
using FedActors.Actors.Clients;
using FedActors.Actors.Coordination;
using FedActors.Actors.Persistence;
using FedActors.Actors.Privacy;
using FedActors.Actors.Simulation;
using FedActors.Actors.Updates;
using FedActors.Tests.Shared;
using FedActors.Training.Evaluation;
using FedActors.Training.LocalTraining;
using static FedActors.Actors.Coordination.CoordinatorEffects;

namespace FedActors.Actors.Tests.Coordination;

/// <summary>
/// A core restored from its latest checkpoint (and, in durability <c>update</c>, the results journaled
/// since) goes on exactly as the original: same final weights, same evaluation records, same counters,
/// however often it is interrupted and in whatever order results arrive.
/// </summary>
public sealed class CheckpointRestoreTests
{
    private const int Dimension = 6;

    public static TheoryData<string, bool> Algorithms() => new()
    {
        { "fedbuff", false }, { "fedbuff", true }, { "fedbuff-adam", false }, { "fedavg", false }, { "fedavg", true },
        { "fedasync", false }, { "fedasync", true }, { "fedbuff-stop-at-target", false }, { "fedbuff-stop-at-target", true },
        { "fedavg-stop-at-target", true }, { "fedbuff-sign-flip", true }, { "fedasync-sign-flip", true }, { "fedavg-sign-flip", false },
        { "fedbuff-local-dp", true }, { "fedavg-local-dp", false }, { "fedbuff-cohorts", false }, { "fedbuff-cohorts", true },
        { "fedbuff-cohorts-deadline", false }, { "fedbuff-cohorts-deadline", true },
    };

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Interrupted_runs_end_exactly_like_the_uninterrupted_run(string algorithm, bool journalResults)
    {
        var server = Server(algorithm);
        bool stopAtTarget = algorithm.EndsWith("-stop-at-target", StringComparison.Ordinal), transforms = algorithm.EndsWith("-sign-flip", StringComparison.Ordinal);
        // Local DP: seeded client noise, and participation charged at dispatch, which a replay must charge alike.
        bool localDp = algorithm.EndsWith("-local-dp", StringComparison.Ordinal);
        var reference = new SimulatedRun(server, journalResults, arrivalSeed: 1, stopAtTarget, transforms, localDp);
        reference.RunToEnd(crashAt: []);

        var interrupted = new SimulatedRun(server, journalResults, arrivalSeed: 2, stopAtTarget, transforms, localDp);
        interrupted.RunToEnd(CrashPoints(reference.Iterations, 0.01, 0.1, 0.1, 0.3, 0.5, 0.7, 0.9));

        Assert.Equal(7, interrupted.Crashes);
        if (algorithm.EndsWith("-deadline", StringComparison.Ordinal))
            Assert.True(reference.Core.Counters.UpdatesRejected.GetValueOrDefault("late") > 0, "some cohort members must miss the deadline");
        Assert.True(reference.Core.Counters.ServerSteps >= 30, $"only {reference.Core.Counters.ServerSteps} steps");
        Assert.Equal(reference.Core.Current.Weights, interrupted.Core.Current.Weights);
        Assert.Equal(reference.Core.Current.Number, interrupted.Core.Current.Number);
        Assert.Equal(Json(reference.Records), Json(interrupted.Records));
        Assert.Equal(Json(reference.Core.Counters with { TrainSeconds = 0 }), Json(interrupted.Core.Counters with { TrainSeconds = 0 }));
        Assert.Equal(reference.Core.Participation.OrderBy(p => p.Key), interrupted.Core.Participation.OrderBy(p => p.Key));
    }

    [Theory]
    [InlineData("fedbuff")]
    [InlineData("fedavg")]
    [InlineData("fedasync")]
    [InlineData("fedbuff-stop-at-target")]
    [InlineData("fedbuff-cohorts")]
    public void Journaled_results_are_never_trained_again_and_each_is_applied_once(string algorithm)
    {
        var reference = new SimulatedRun(Server(algorithm), journalResults: true, arrivalSeed: 3, algorithm.EndsWith("-stop-at-target", StringComparison.Ordinal));
        reference.RunToEnd(crashAt: []);
        var run = new SimulatedRun(Server(algorithm), journalResults: true, arrivalSeed: 3, algorithm.EndsWith("-stop-at-target", StringComparison.Ordinal));
        // Many crashes, so some land between an evaluation result and the next step (stop-at-target).
        run.RunToEnd(CrashPoints(reference.Iterations, Enumerable.Range(1, 60).Select(i => i / 62.0).ToArray()));

        Assert.Equal(60, run.Crashes);
        // A job whose result was journaled is never dispatched again, so no client answers twice.
        Assert.Empty(run.DispatchedAfterAnswer);
        Assert.Equal(run.Answered.Count, run.Answered.Distinct().Count());
        Assert.Equal(reference.Core.Current.Weights, run.Core.Current.Weights);
    }

    [Theory(DisplayName = "A lossless update transform must end with the weights of the run without it, journal replays included")]
    [InlineData("fedbuff")]
    [InlineData("fedavg")]
    [InlineData("fedasync")]
    public void A_lossless_transform_must_not_change_the_run(string algorithm)
    {
        var plain = new SimulatedRun(Server(algorithm), journalResults: true, arrivalSeed: 5);
        plain.RunToEnd(crashAt: []);
        var flipped = new SimulatedRun(Server(algorithm), journalResults: true, arrivalSeed: 6, transforms: true);
        flipped.RunToEnd(crashAt: [40, 41, 200]);

        Assert.Equal(plain.Core.Current.Weights, flipped.Core.Current.Weights);
        Assert.Equal(plain.Core.Counters.UpdatesApplied, flipped.Core.Counters.UpdatesApplied);
        Assert.True(flipped.SentNegated > 0, "the clients must have sent what the transform encoded");
    }

    [Fact]
    public void Step_durability_trains_again_only_the_results_after_the_last_step()
    {
        var run = new SimulatedRun(Server("fedbuff"), journalResults: false, arrivalSeed: 4);
        run.RunToEnd(crashAt: [50]);
        var reference = new SimulatedRun(Server("fedbuff"), journalResults: false, arrivalSeed: 4);
        reference.RunToEnd(crashAt: []);

        int retrained = run.DispatchLog.Count - reference.DispatchLog.Count;
        Assert.InRange(retrained, 1, ((Participation.Continuous)server.Participation).Concurrency);
    }

    private static readonly IStrategySettings server = Server("fedbuff");

    private static int[] CrashPoints(int iterations, params double[] fractions) =>
        fractions.Select((f, i) => (int)(f * iterations) + (fractions.Take(i).Contains(f) ? 1 : 0)).ToArray();

    private static IStrategySettings Server(string algorithm) => algorithm.Replace("-stop-at-target", "", StringComparison.Ordinal)
        .Replace("-sign-flip", "", StringComparison.Ordinal).Replace("-local-dp", "", StringComparison.Ordinal) switch
    {
        "fedbuff" => FedBuffSettings.Default with { Concurrency = 12, BufferSize = 4, Optimizer = ServerOptimizerSettings.Default with { Name = "fedavgm" } },
        "fedbuff-adam" => FedBuffSettings.Default with { Concurrency = 12, BufferSize = 3, Optimizer = ServerOptimizerSettings.Default with { Name = "fedadam" } },
        "fedbuff-cohorts" => FedBuffSettings.Default with { CohortSize = 4, CohortsInFlight = 3 },
        // A deadline some jobs miss: their cohort closes without them and they count as late.
        "fedbuff-cohorts-deadline" => FedBuffSettings.Default with { CohortSize = 4, CohortsInFlight = 3, CohortDeadline = 0.12 },
        "fedavg" => FedAvgSettings.Default with { ClientsPerRound = 5, OverSelection = 0.4, RoundDeadline = 30 },
        "fedasync" => FedAsyncSettings.Default with { Concurrency = 8, Staleness = StalenessSettings.Default with { MaxStaleness = 12 } },
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };


    private static string Json<T>(T value) => JsonSerializer.Serialize(value, new JsonSerializerOptions { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals });

    /// <summary>
    /// A run whose clients and evaluator answer in a seeded random order, whose persisted events are folded
    /// as the actor would, and which can "crash": lose everything but the fold and restore from it.
    /// </summary>
    private sealed class SimulatedRun
    {
        private readonly IStrategySettings _server;
        private readonly bool _journalResults;
        private readonly Random _arrivals;
        private readonly RunSettings _run;
        private readonly SimulationSettings _simulation = SimulationSettings.Default with
        {
            Device = DeviceSettings.Default with { Dropout = 0.1, JobTimeout = 50 },
        };
        private readonly FixedPopulation _population = new(40);
        private readonly PersistedRun _fold = new();
        private readonly List<ClientProtocol.TrainJob> _outstanding = new();
        private readonly List<EvaluateModel> _evaluations = new();
        private readonly UpdatePipeline _clientPipeline;

        public SimulatedRun(IStrategySettings server, bool journalResults, int arrivalSeed, bool stopAtTarget = false, bool transforms = false, bool localDp = false)
        {
            // A target never reached, with stop-at-target: every pending evaluation holds the results behind it,
            // so when evaluations come back decides the order of everything else.
            _run = RunSettings.Default with
            {
                MaxServerSteps = 80, EvalEverySteps = 7, Seed = 11, TargetAccuracy = stopAtTarget ? 0.99 : null, StopAtTarget = stopAtTarget,
                Transforms = transforms ? UpdatePipelineSettings.Of(SignFlipSettings.Instance)
                    : localDp ? UpdatePipelineSettings.Of(new LocalDpSettings(0.5, 0.2))
                    : UpdatePipelineSettings.Identity,
                Privacy = localDp ? PrivacySettings.Default with { Mode = PrivacyMode.Local, ClipNorm = 0.5, NoiseMultiplier = 0.2 }
                    : PrivacySettings.Default,
            };
            _clientPipeline = _run.Transforms.Create();
            _server = server;
            _journalResults = journalResults;
            _arrivals = new Random(arrivalSeed);
            var initial = Enumerable.Range(0, Dimension).Select(i => 0.1f * i).ToArray();
            _fold.Apply(new RunStarted("test", initial));
            Core = new CoordinatorCore(_run, server, _simulation, _population, initial);
            Take(Core.Start());
        }

        public CoordinatorCore Core { get; private set; }

        public List<EvaluationRecord> Records { get; } = new();

        public List<long> DispatchLog { get; } = new();

        public List<long> Answered { get; } = new();

        public int Crashes { get; private set; }

        /// <summary>Updates sent whose first value the client pipeline had negated (sign-flip on).</summary>
        public int SentNegated { get; private set; }

        public int Iterations { get; private set; }

        /// <summary>Jobs dispatched again after their result had been given to the coordinator.</summary>
        public List<long> DispatchedAfterAnswer { get; } = new();

        private bool Finished { get; set; }

        public void RunToEnd(int[] crashAt)
        {
            for (int i = 0; !Finished; i++, Iterations++)
            {
                Assert.True(i < 100_000, "the run does not end");
                if (crashAt.Contains(i)) Crash();
                if (_evaluations.Count > 0 && (_outstanding.Count == 0 || _arrivals.NextDouble() < 0.2))
                {
                    var e = _evaluations[_arrivals.Next(_evaluations.Count)];
                    _evaluations.Remove(e);
                    double acc = 0.5 + 0.4 * Math.Tanh(e.Version.Weights.Sum() / Dimension);
                    if (_journalResults && Core.IsAwaitingEvaluation(e.ServerStep)) _fold.Apply(new EvaluationPersisted(e.ServerStep, acc, 1 - acc));
                    Take(Core.OnEvaluated(e.ServerStep, new EvaluationResult(100, acc, 1 - acc, [], [])));
                }
                else if (_outstanding.Count > 0)
                {
                    var job = _outstanding[_arrivals.Next(_outstanding.Count)];
                    _outstanding.Remove(job);
                    ClientProtocol.IClientResult result = job.ClientId % 17 == 5 && job.Job.Value % 3 == 0
                        ? new ClientProtocol.JobFailed(job.Job, job.ClientId, "out of memory")
                        : Train(job);
                    // Journaled as the journal stores it: through the serializer, the payload as it arrived.
                    if (_journalResults && Core.IsAwaiting(job.Job))
                        _fold.Apply(StateSerializer.Deserialize(StateSerializer.Serialize(new ResultPersisted(result, 0))));
                    Answered.Add(job.Job.Value);
                    Take(Core.OnResult(result));
                }
                else Assert.Fail("nothing outstanding and the run has not ended");
            }
        }

        private ClientProtocol.ClientUpdate Train(ClientProtocol.TrainJob job)
        {
            var b = job.Base.Weights;
            var delta = new float[b.Length];
            for (int i = 0; i < b.Length; i++)
                delta[i] = -0.1f * b[i] + 0.01f * ((job.ClientId * 31 + i) % 7 - 3) + 1e-4f * (job.Job.Value % 13);
            int samples = 16 + job.ClientId % 50;
            double norm = Math.Sqrt(delta.Sum(d => (double)d * d));
            float first = delta[0];
            var payload = _clientPipeline.Encode(delta, new TransformContext(job.Seed, job.ClientId, job.Job.Value, job.Base.Number, job.Base.Dimension));
            if (first != 0 && ((DensePayload)payload).Values[0] == -first) SentNegated++;
            return new(job.Job, job.ClientId, job.Base.Number, payload, new LocalTrainingStats(samples, 2, 0.3, norm, 0.01));
        }

        private void Crash()
        {
            Crashes++;
            _outstanding.Clear();
            _evaluations.Clear();
            var latest = _fold.Latest ?? throw new InvalidOperationException("no checkpoint: version 0 is one");
            Core = CoordinatorCore.Restore(_run, _server, _simulation, _population, latest, _fold.Versions, _fold.Participation, _fold.Records);
            Records.Clear();
            Records.AddRange(_fold.Records);
            Take(Core.Resume(_journalResults ? _fold.Inputs : []));
        }

        private void Take(IReadOnlyList<ICoordinatorEffect> effects)
        {
            foreach (var e in effects)
            {
                switch (e)
                {
                    case DispatchJob d:
                        Assert.DoesNotContain(_outstanding, j => j.Job == d.Job.Job);
                        _outstanding.Add(d.Job);
                        DispatchLog.Add(d.Job.Job.Value);
                        if (Answered.Contains(d.Job.Job.Value)) DispatchedAfterAnswer.Add(d.Job.Job.Value);
                        break;
                    case EvaluateModel m:
                        _evaluations.Add(m);
                        break;
                    case EvaluationRecorded r:
                        Records.Add(r.Record);
                        break;
                    case StepCommitted s:
                        _fold.Apply(new StepPersisted(s.Checkpoint, s.Version.Weights, 0));
                        break;
                    case RunFinished:
                        Finished = true;
                        break;
                }
            }
        }
    }
}
