using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using Akka.Actor;
using FedActors.Actors.Aggregation;
using FedActors.Actors.Coordination;
using FedActors.Actors.Jobs;
using FedActors.Actors.Persistence;
using FedActors.Actors.Updates;
using FedActors.Training.LocalTraining;
using static FedActors.Actors.Clients.ClientProtocol;

namespace FedActors.Actors.Tests.Persistence;

/// <summary>
/// <see cref="StateSerializer"/> gives back exactly what it was given (every field, every bit of every
/// double and float), gives the same bytes for the same state, and refuses a blob that is foreign,
/// from another format version, truncated or corrupt with an error that names the problem.
/// </summary>
public sealed class StateSerializerTests
{
    // A quiet NaN with a payload and a negative one: both must come back with the same bits.
    private static readonly double NaNWithPayload = BitConverter.Int64BitsToDouble(0x7FF8_0000_0000_BEEF);
    private static readonly double NegativeNaN = BitConverter.Int64BitsToDouble(unchecked((long)0xFFF8_0000_0000_0001));

    // ---- Round trips ----

    [Fact]
    public void RunStarted_must_round_trip_exactly()
    {
        var original = new RunStarted("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Floats(1000, seed: 1));

        var copy = RoundTrip(original);

        Assert.Equal(original.ConfigFingerprint, copy.ConfigFingerprint);
        AssertBits(original.InitialWeights, copy.InitialWeights);
    }

    [Fact]
    public void RunStarted_with_empty_weights_and_non_ascii_fingerprint_must_round_trip()
    {
        var original = new RunStarted("ünïcødé ✓ 𝔽", []);

        var copy = RoundTrip(original);

        Assert.Equal(original.ConfigFingerprint, copy.ConfigFingerprint);
        Assert.Empty(copy.InitialWeights);
    }

    [Fact]
    public void Float_arrays_must_keep_every_bit_including_NaN_payloads_infinities_and_signed_zero()
    {
        float[] special =
        [
            float.NaN, BitConverter.Int32BitsToSingle(0x7FC0_1234), BitConverter.Int32BitsToSingle(unchecked((int)0xFFC0_0001)),
            float.PositiveInfinity, float.NegativeInfinity, -0f, 0f, float.Epsilon, float.MaxValue, float.MinValue, 1.17549435e-38f,
        ];

        var copy = RoundTrip(new RunStarted("x", special));

        AssertBits(special, copy.InitialWeights);
    }

    [Fact]
    public void StepPersisted_must_round_trip_every_field()
    {
        var original = new StepPersisted(FullCheckpoint(), Floats(44_426, seed: 2), 1234.5678);

        var copy = RoundTrip(original);

        AssertCheckpoint(original.Checkpoint, copy.Checkpoint);
        AssertBits(original.Weights, copy.Weights);
        AssertBits(original.WallSeconds, copy.WallSeconds);
    }

    [Fact]
    public void StepPersisted_with_every_optional_absent_must_round_trip()
    {
        var original = new StepPersisted(SparseCheckpoint(), [], double.NaN);

        var copy = RoundTrip(original);

        AssertCheckpoint(original.Checkpoint, copy.Checkpoint);
        Assert.Null(copy.Checkpoint.FailureReason);
        Assert.Null(copy.Checkpoint.Target);
        Assert.Null(copy.Checkpoint.Optimizer);
        Assert.Empty(copy.Weights);
        AssertBits(double.NaN, copy.WallSeconds);
    }

    [Fact(DisplayName = "A step with a strategy wrapper's state (adaptive clipping's clip norm) must round-trip it bit for bit, and one without must read none")]
    public void StepPersisted_with_a_wrapper_state_must_round_trip()
    {
        var state = new WrapperState("central-dp", [0.1 + 0.2, double.Epsilon]);
        var copy = RoundTrip(new StepPersisted(FullCheckpoint() with { Wrapper = state }, Floats(3, 3), 0));
        Assert.Equal("central-dp", copy.Checkpoint.Wrapper!.Owner);
        Assert.Equal(state.Values.Select(BitConverter.DoubleToInt64Bits), copy.Checkpoint.Wrapper.Values.Select(BitConverter.DoubleToInt64Bits));
        Assert.Null(RoundTrip(new StepPersisted(FullCheckpoint(), Floats(3, 3), 0)).Checkpoint.Wrapper);
    }

    [Fact]
    public void StepPersisted_with_an_optimizer_state_without_moments_must_round_trip()
    {
        var original = new StepPersisted(FullCheckpoint() with { Optimizer = new ServerOptimizerState("sgd", 17, null, null) }, Floats(3, 3), 0);

        var copy = RoundTrip(original);

        Assert.Equal("sgd", copy.Checkpoint.Optimizer!.Optimizer);
        Assert.Equal(17, copy.Checkpoint.Optimizer.Steps);
        Assert.Null(copy.Checkpoint.Optimizer.M);
        Assert.Null(copy.Checkpoint.Optimizer.V);
    }

    [Fact]
    public void ResultPersisted_with_a_client_update_must_round_trip()
    {
        var original = new ResultPersisted(Update(seed: 4, length: 5_000), ArrivedAt: 12.5);

        var copy = RoundTrip(original);

        AssertResult(original.Result, copy.Result);
        AssertBits(original.ArrivedAt, copy.ArrivedAt);
    }

    [Fact]
    public void ResultPersisted_with_a_failed_job_must_round_trip()
    {
        var original = new ResultPersisted(new JobFailed(new JobId(long.MaxValue), int.MinValue, "CUDA out of memory: «tried to allocate 2 GiB»"), NaNWithPayload);

        var copy = RoundTrip(original);

        Assert.Equal(original.Result, copy.Result);
        AssertBits(original.ArrivedAt, copy.ArrivedAt);
    }

    [Fact]
    public void EvaluationPersisted_and_ClockAdvanced_must_round_trip_bit_exactly()
    {
        var evaluation = RoundTrip(new EvaluationPersisted(long.MaxValue, 0.8125, NaNWithPayload));
        Assert.Equal(long.MaxValue, evaluation.ServerStep);
        AssertBits(0.8125, evaluation.Accuracy);
        AssertBits(NaNWithPayload, evaluation.Loss);
        Assert.Null(evaluation.BackdoorAccuracy);
        AssertBits(0.0625, RoundTrip(new EvaluationPersisted(3, 0.5, 1, BackdoorAccuracy: 0.0625)).BackdoorAccuracy);

        AssertBits(-0.0, RoundTrip(new ClockAdvanced(-0.0)).Now);
        AssertBits(1234.5, RoundTrip(new ClockAdvanced(1234.5)).Now);
    }

    [Fact]
    public void RunResumed_must_round_trip_infinities_and_NaN_bit_exactly()
    {
        foreach (var seconds in new[] { 42.25, double.PositiveInfinity, double.NegativeInfinity, NaNWithPayload, NegativeNaN, -0.0 })
            AssertBits(seconds, RoundTrip(new RunResumed(seconds)).WallSeconds);
    }

    [Fact]
    public void CoordinatorSnapshot_must_round_trip_versions_records_and_results_of_both_kinds()
    {
        var original = new CoordinatorSnapshot(
            new RunStarted("fingerprint", Floats(300, seed: 5)),
            FullCheckpoint(),
            [new ModelVersion(7, Floats(300, seed: 6)), new ModelVersion(9, Floats(300, seed: 7)), new ModelVersion(12, [])],
            [new ParticipationCount(0, 3), new ParticipationCount(5, 1), new ParticipationCount(99, 12)],
            [Record(4, 0.5), Record(8, 0.75), Record(12, double.NaN)],
            [new(Update(seed: 8, length: 300), 1.5), new(new JobFailed(new JobId(31), 2, "timed out"), 2.5), new(Update(seed: 9, length: 0), double.PositiveInfinity)],
            Resumed: 3,
            WallSeconds: 987.0625) { LastResults = [new ClientJob(0, 17), new ClientJob(99, 4_000_000_000)] };

        var copy = RoundTrip(original);

        Assert.Equal(original.LastResults, copy.LastResults);
        Assert.Equal(original.Started.ConfigFingerprint, copy.Started.ConfigFingerprint);
        AssertBits(original.Started.InitialWeights, copy.Started.InitialWeights);
        AssertCheckpoint(original.Latest!, copy.Latest!);
        Assert.Equal(original.Versions.Count, copy.Versions.Count);
        for (var i = 0; i < original.Versions.Count; i++)
        {
            Assert.Equal(original.Versions[i].Number, copy.Versions[i].Number);
            AssertBits(original.Versions[i].Weights, copy.Versions[i].Weights);
        }
        Assert.Equal(original.Participation, copy.Participation);
        AssertRecords(original.Records, copy.Records);
        Assert.Equal(original.Results.Count, copy.Results.Count);
        for (var i = 0; i < original.Results.Count; i++)
        {
            AssertResult(original.Results[i].Result, copy.Results[i].Result);
            AssertBits(original.Results[i].ArrivedAt, copy.Results[i].ArrivedAt);
        }
        Assert.Equal(3, copy.Resumed);
        AssertBits(original.WallSeconds, copy.WallSeconds);
    }

    [Fact]
    public void CoordinatorSnapshot_before_the_first_step_must_round_trip_with_no_checkpoint()
    {
        var original = new CoordinatorSnapshot(new RunStarted("f", Floats(10, 10)), null, [new ModelVersion(0, Floats(10, 10))], [], [], [], 0, 0);

        var copy = RoundTrip(original);

        Assert.Null(copy.Latest);
        Assert.Single(copy.Versions);
        Assert.Empty(copy.Participation);
        Assert.Empty(copy.Records);
        Assert.Empty(copy.Results);
    }

    [Fact]
    public void Large_weight_vectors_must_round_trip()
    {
        var weights = Floats(1_663_370, seed: 11);

        var copy = RoundTrip(new StepPersisted(SparseCheckpoint(), weights, 1));

        AssertBits(weights, copy.Weights);
    }

    // ---- Determinism and layout ----

    [Fact]
    public void The_same_state_must_serialize_to_identical_bytes()
    {
        var step = new StepPersisted(FullCheckpoint(), Floats(1000, 12), 5);
        // Same content, maps built in another insertion order: the bytes must not depend on it.
        var reordered = step with
        {
            Checkpoint = step.Checkpoint with
            {
                Counters = step.Checkpoint.Counters with
                {
                    Rejected = new Dictionary<string, long>(step.Checkpoint.Counters.Rejected.Reverse()),
                },
                Window = step.Checkpoint.Window with
                {
                    StalenessHistogram = new Dictionary<int, long>(step.Checkpoint.Window.StalenessHistogram.Reverse()),
                },
            },
        };

        var first = StateSerializer.Serialize(step);

        Assert.Equal(first, StateSerializer.Serialize(step));
        Assert.Equal(first, StateSerializer.Serialize(reordered));
        Assert.Equal(first, StateSerializer.Serialize(RoundTrip(step)));
    }

    [Fact]
    public void A_blob_must_be_framed_with_magic_version_tag_length_and_crc()
    {
        var blob = StateSerializer.Serialize(new RunResumed(1.5));

        Assert.Equal("FAST"u8.ToArray(), blob[..4]);
        Assert.Equal(7, BinaryPrimitives.ReadUInt16LittleEndian(blob.AsSpan(4)));
        Assert.Equal(4, BinaryPrimitives.ReadUInt16LittleEndian(blob.AsSpan(6)));
        Assert.Equal(8, BinaryPrimitives.ReadInt32LittleEndian(blob.AsSpan(8)));
        Assert.Equal(1.5, BinaryPrimitives.ReadDoubleLittleEndian(blob.AsSpan(12)));
        Assert.Equal(Crc32.HashToUInt32(blob.AsSpan(0, 20)), BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(20)));
        Assert.Equal(24, blob.Length);
    }

    [Fact]
    public void Weights_must_be_stored_as_raw_float32_bytes()
    {
        var weights = Floats(44_426, seed: 13);

        var blob = StateSerializer.Serialize(new RunStarted("", weights));

        // 16 bytes of frame, 4 + 0 of fingerprint, 4 of count, then the floats: nothing per element.
        Assert.Equal(16 + 4 + 4 + 4 * weights.Length, blob.Length);
    }

    // ---- Refusals ----

    [Fact]
    public void A_flipped_payload_byte_must_fail_the_checksum()
    {
        var blob = StateSerializer.Serialize(new StepPersisted(FullCheckpoint(), Floats(100, 14), 1));
        blob[blob.Length / 2] ^= 0x10;

        var e = Refused(blob, StateFormatError.ChecksumMismatch);

        Assert.Contains("checksum mismatch", e.Message);
        Assert.Contains("the persisted state is corrupt", e.Message);
    }

    [Fact]
    public void A_truncated_blob_must_say_how_many_bytes_were_expected_and_found()
    {
        var blob = StateSerializer.Serialize(new RunStarted("f", Floats(100, 15)));

        var e = Refused(blob[..^10], StateFormatError.LengthMismatch);

        Assert.Contains("truncated", e.Message);
        Assert.Contains($"{blob.Length} bytes in all", e.Message);
        Assert.Contains($"the blob has {blob.Length - 10}", e.Message);
        Refused(blob[..7], StateFormatError.LengthMismatch);
    }

    [Fact]
    public void Trailing_bytes_must_be_a_length_mismatch()
    {
        var blob = StateSerializer.Serialize(new RunResumed(1));

        var e = Refused([.. blob, 0], StateFormatError.LengthMismatch);

        Assert.Contains("length mismatch", e.Message);
    }

    [Fact]
    public void A_blob_with_other_magic_must_not_be_taken_for_FedActors_state()
    {
        var blob = StateSerializer.Serialize(new RunResumed(1));
        blob[0] = (byte)'{';

        var e = Refused(blob, StateFormatError.NotFedActorsState);

        Assert.Contains("not FedActors state", e.Message);
        Refused([], StateFormatError.NotFedActorsState);
        Refused("{\"$type\":\"x\"}"u8.ToArray(), StateFormatError.NotFedActorsState);
    }

    [Fact]
    public void Format_version_8_must_be_refused_as_unsupported()
    {
        var blob = StateSerializer.Serialize(new RunResumed(1));
        BinaryPrimitives.WriteUInt16LittleEndian(blob.AsSpan(4), 8);
        Reseal(blob);

        var e = Refused(blob, StateFormatError.UnsupportedVersion);

        Assert.Equal("format version 8 is not supported by this build (supports 1 to 7)", e.Message);
    }

    [Fact(DisplayName = "An evaluation journaled in format version 4 (no backdoor accuracy) must read back with none")]
    public void Format_version_4_evaluation_must_still_be_read()
    {
        // Version 4 wrote step, accuracy and loss: 8 + 8 + 8 payload bytes after the 12-byte header.
        var blob = new byte[12 + 24 + 4];
        "FAST"u8.CopyTo(blob);
        BinaryPrimitives.WriteUInt16LittleEndian(blob.AsSpan(4), 4);
        BinaryPrimitives.WriteUInt16LittleEndian(blob.AsSpan(6), 6); // EvaluationPersisted's tag
        BinaryPrimitives.WriteInt32LittleEndian(blob.AsSpan(8), 24);
        BinaryPrimitives.WriteInt64LittleEndian(blob.AsSpan(12), 300);
        BinaryPrimitives.WriteDoubleLittleEndian(blob.AsSpan(20), 0.75);
        BinaryPrimitives.WriteDoubleLittleEndian(blob.AsSpan(28), 0.5);
        Reseal(blob);

        var evaluation = Assert.IsType<EvaluationPersisted>(StateSerializer.Deserialize(blob));

        Assert.Equal(new EvaluationPersisted(300, 0.75, 0.5, null), evaluation);
    }

    [Fact]
    public void A_step_journaled_in_format_version_1_must_read_as_a_full_checkpoint()
    {
        // Written by the build before format version 2 (commit 59ec805): a step with two jobs in flight, two events
        // and one given-up job.
        var blob = Convert.FromHexString(V1Step);
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(blob.AsSpan(4)));

        var step = Assert.IsType<StepPersisted>(StateSerializer.Deserialize(blob));

        var c = step.Checkpoint;
        Assert.Equal((3L, 1.5, 7L), (c.ServerStep, c.Now, c.NextJob));
        Assert.Equal([new CheckpointJob(5, 2, 2, 0, false, true), new CheckpointJob(6, 9, 3, 0, true, false)], c.InFlight);
        Assert.Equal([new CheckpointEvent(2.25, 0, 5), new CheckpointEvent(101.5, 1, 6)], c.Events);
        Assert.Equal([4L], c.Abandoned);
        Assert.Equal([2L, 3L], c.RetainedVersions);
        Assert.False(c.IsDelta);
        Assert.Empty(c.RemovedJobs);
        Assert.Empty(c.RemovedEvents);
        Assert.Empty(c.RemovedAbandoned);
        Assert.Equal([0.5f, -1f], step.Weights);
        Assert.Equal(4.75, step.WallSeconds);
        // Written again, it is the current version and reads back the same.
        var again = StateSerializer.Serialize(step);
        Assert.Equal(StateSerializer.FormatVersion, BinaryPrimitives.ReadUInt16LittleEndian(again.AsSpan(4)));
        AssertCheckpoint(c, RoundTrip(step).Checkpoint);
    }

    [Fact(DisplayName = "A result and a step journaled in format version 2 must read back: the update as a dense payload, the round without its update count")]
    public void Format_version_2_must_still_be_read()
    {
        // Written by the build before format version 3 (commit e4a3c36).
        var result = Assert.IsType<ResultPersisted>(StateSerializer.Deserialize(Convert.FromHexString(V2Result)));
        var update = Assert.IsType<ClientUpdate>(result.Result);
        Assert.Equal((new JobId(42), 7, 3L, 12.5), (update.Job, update.ClientId, update.BaseVersion, result.ArrivedAt));
        Assert.Equal([0.5f, -1.25f, 3f], Assert.IsType<DensePayload>(update.Payload).Values);
        Assert.Equal(new LocalTrainingStats(64, 2, 0.75, 1.5, 0.125), update.Stats);

        var step = Assert.IsType<StepPersisted>(StateSerializer.Deserialize(Convert.FromHexString(V2Step)));
        Assert.Equal(new CheckpointRound(5, Open: true, Outstanding: 3, EmptyRounds: 2), step.Checkpoint.Round);
        Assert.Equal([new CheckpointEvent(10.25, 2, 5)], step.Checkpoint.Events);
        Assert.Equal(4, step.Checkpoint.ServerStep);

        // A version-2 round that held updates at a step boundary cannot be: refused, naming it.
        var e = Refused(Convert.FromHexString(V2MidRound), StateFormatError.InvalidValue);
        Assert.Equal("CheckpointRound holds 7 updates of weight 120 at a step boundary, which holds none", e.Message);
    }

    private const string V2Result = "464153540200030051000000012A00000000000000070000000300000000000000030000000000003F0000A0BF00004040400000000000000002000000000000000000E83F000000000000F83F000000000000C03F0000000000002940BCA654FA";

    private const string V2Step = "46415354020002004C010000040000000000000000000000000023400C0000000000000000000000010000000000000000802440020000000500000000000000010000000B00000000000000050000000000000001030000000000000000000000000000000200000001000000040000006C617465020000000000000014000000000000000000000000000000180000000000000001000000000000000005000000000000000000000000E03F1405000000000000280A0000000000000100000000000000040000000000000004000000000000000000000000000000000000000000F83F00000000000000000000000000000C4004000000000000000200000000000000000000000400000000000000000000000000000001030000007367640400000000000000000001000000040000000000000000000000000000000000000000020000000000803F000000400000000000000A4027FDD92D";

    private const string V2MidRound = "46415354020002004C010000040000000000000000000000000023400C0000000000000000000000010000000000000000802440020000000500000000000000010000000B0000000000000005000000000000000103000000070000000000000000005E400200000001000000040000006C617465020000000000000014000000000000000000000000000000180000000000000001000000000000000005000000000000000000000000E03F1405000000000000280A0000000000000100000000000000040000000000000004000000000000000000000000000000000000000000F83F00000000000000000000000000000C4004000000000000000200000000000000000000000400000000000000000000000000000001030000007367640400000000000000000001000000040000000000000000000000000000000000000000020000000000803F000000400000000000000A40002F75DB";

    [Fact(DisplayName = "A journaled update must keep its payload as it arrived: kind and bytes, sparse and quantized included")]
    public void Journaled_payloads_of_every_kind_must_round_trip()
    {
        UpdatePayload[] payloads =
        [
            new SparsePayload(100_000, [5, 70_000], [1.5f, -0f]),
            new QuantizedPayload(7, 4, 4, [0.5f, 2f], [-1f, 0f], [0x10, 0x32, 0x54, 0x06]),
        ];
        foreach (var payload in payloads)
        {
            var original = new ResultPersisted(new ClientUpdate(new JobId(3), 1, 0, payload, new LocalTrainingStats(1, 1, 0, 0, 0)), 2);

            var copy = RoundTrip(original);

            AssertResult(original.Result, copy.Result);
            Assert.Equal(payload.GetType(), ((ClientUpdate)copy.Result).Payload.GetType());
        }
    }

    [Fact]
    public void A_delta_checkpoint_must_round_trip_what_it_adds_and_removes()
    {
        var original = new StepPersisted(FullCheckpoint() with
        {
            IsDelta = true,
            RemovedJobs = [12, 40, 96],
            RemovedEvents = [new CheckpointEvent(-0.0, 0, 12), new CheckpointEvent(300.25, 1, 40)],
            RemovedAbandoned = [7],
        }, Floats(10, seed: 4), 2.5);

        var copy = RoundTrip(original);

        AssertCheckpoint(original.Checkpoint, copy.Checkpoint);
        AssertBits(original.Checkpoint.RemovedEvents[0].Time, copy.Checkpoint.RemovedEvents[0].Time);
    }

    private const string V1Step = "46415354010002009A0100000300000000000000000000000000F83F0700000000000000020000000500000000000000020000000200000000000000000000000000000000010600000000000000090000000300000000000000000000000000000001000200000000000000000002400000000005000000000000000000000000605940010000000600000000000000010000000400000000000000000000000000000000000000000000000000000000000000000000000001000000040000006C61746501000000000000000600000000000000000000000000000007000000000000000100000000000000C000000000000000000000000000E03F300000000000000038000000000000000200000000000000040000000000000001000000020000000000000006000000010000000000000000000040000000000000D03F7B14AE47E17A843F000000000000E03F0200000001000000020000000100000001000000000000000000000000000000000000000000000000000000000200000002000000000000000300000000000000020000000000003F000080BF0000000000001340DE0C444F";

    [Fact]
    public void An_unknown_manifest_must_be_named()
    {
        var blob = StateSerializer.Serialize(new RunResumed(1));

        var e = Assert.Throws<StateFormatException>(() => WithSerializer(s => s.FromBinary(blob, "ServerStepApplied")));

        Assert.Equal(StateFormatError.UnknownType, e.Error);
        Assert.Contains("unknown manifest 'ServerStepApplied'", e.Message);
    }

    [Fact]
    public void A_manifest_that_names_another_type_than_the_blob_must_be_refused()
    {
        var blob = StateSerializer.Serialize(new RunResumed(1));

        var e = Assert.Throws<StateFormatException>(() => WithSerializer(s => s.FromBinary(blob, "StepPersisted")));

        Assert.Equal(StateFormatError.ManifestMismatch, e.Error);
        Assert.Contains("type tag 4 (RunResumed)", e.Message);
    }

    [Fact]
    public void An_unknown_type_tag_must_be_named()
    {
        var blob = StateSerializer.Serialize(new RunResumed(1));
        BinaryPrimitives.WriteUInt16LittleEndian(blob.AsSpan(6), 77);
        Reseal(blob);

        var e = Refused(blob, StateFormatError.UnknownType);

        Assert.Contains("unknown type tag 77", e.Message);
    }

    [Fact]
    public void Negative_lengths_must_be_invalid_values()
    {
        var blob = StateSerializer.Serialize(new RunStarted("abc", Floats(4, 16)));
        // The fingerprint's byte count sits right after the 12-byte header.
        BinaryPrimitives.WriteInt32LittleEndian(blob.AsSpan(12), -5);
        Reseal(blob);

        var e = Refused(blob, StateFormatError.InvalidValue);

        Assert.Contains("RunStarted.ConfigFingerprint has a negative length (-5)", e.Message);
    }

    [Fact]
    public void A_count_larger_than_the_payload_must_be_a_length_mismatch_not_an_allocation()
    {
        var blob = StateSerializer.Serialize(new RunStarted("abc", Floats(4, 17)));
        // The weights' element count follows the fingerprint (4 + 3 bytes).
        BinaryPrimitives.WriteInt32LittleEndian(blob.AsSpan(12 + 7), int.MaxValue);
        Reseal(blob);

        var e = Refused(blob, StateFormatError.LengthMismatch);

        Assert.Contains("RunStarted.InitialWeights declares 2147483647 elements", e.Message);
    }

    [Fact]
    public void An_unknown_run_status_must_be_an_invalid_value()
    {
        var blob = StateSerializer.Serialize(new StepPersisted(SparseCheckpoint() with { Status = (RunStatus)7 }, [], 0));
        Reseal(blob);

        var e = Refused(blob, StateFormatError.InvalidValue);

        Assert.Contains("CoordinatorCheckpoint.Status holds 7, not a RunStatus value", e.Message);
    }

    [Fact]
    public void An_unknown_result_kind_must_be_named()
    {
        var blob = StateSerializer.Serialize(new ResultPersisted(new JobFailed(new JobId(1), 1, "x"), 0));
        blob[12] = 9;
        Reseal(blob);

        var e = Refused(blob, StateFormatError.UnknownType);

        Assert.Contains("unknown result kind 9", e.Message);
    }

    [Fact]
    public void A_boolean_byte_other_than_0_or_1_must_be_an_invalid_value()
    {
        var blob = StateSerializer.Serialize(new CoordinatorSnapshot(new RunStarted("", []), null, [], [], [], [], 0, 0));
        // RunStarted takes 8 bytes (two zero counts); the Latest presence byte follows.
        blob[12 + 8] = 2;
        Reseal(blob);

        var e = Refused(blob, StateFormatError.InvalidValue);

        Assert.Contains("CoordinatorSnapshot.Latest holds 2", e.Message);
    }

    [Fact]
    public void A_payload_shorter_than_its_fields_must_be_reported_as_truncated()
    {
        var blob = StateSerializer.Serialize(new RunResumed(1));
        // Frame a 4-byte payload where RunResumed needs 8.
        var shortBlob = new byte[12 + 4 + 4];
        blob.AsSpan(0, 12).CopyTo(shortBlob);
        BinaryPrimitives.WriteInt32LittleEndian(shortBlob.AsSpan(8), 4);
        Reseal(shortBlob);

        var e = Refused(shortBlob, StateFormatError.LengthMismatch);

        Assert.Contains("truncated: RunResumed.WallSeconds needs 8 bytes", e.Message);
    }

    [Fact]
    public void Serializing_a_string_with_a_lone_surrogate_must_fail_instead_of_altering_it()
    {
        var e = Assert.Throws<ArgumentException>(() => StateSerializer.Serialize(new ResultPersisted(new JobFailed(new JobId(1), 1, "bad \ud800"), 0)));

        Assert.Contains("lone surrogate", e.Message);
    }

    // ---- Through Akka ----

    [Fact]
    public async Task An_actor_system_with_the_configuration_must_use_the_serializer_for_all_persisted_state()
    {
        var system = ActorSystem.Create("state-serializer", StateSerializer.Configuration);
        try
        {
            var started = new RunStarted("fingerprint", Floats(64, 18));
            var serializer = system.Serialization.FindSerializerFor(started);

            Assert.IsType<StateSerializer>(serializer);
            Assert.Equal(StateSerializer.SerializerId, serializer.Identifier);
            foreach (IPersistedState state in new IPersistedState[]
                     {
                         new StepPersisted(SparseCheckpoint(), [], 0), new ResultPersisted(Update(19, 2), 0), new RunResumed(0),
                         new CoordinatorSnapshot(started, null, [], [], [], [], 0, 0),
                     })
                Assert.IsType<StateSerializer>(system.Serialization.FindSerializerFor(state));

            var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, started);
            var bytes = serializer.ToBinary(started);
            var copy = Assert.IsType<RunStarted>(system.Serialization.Deserialize(bytes, serializer.Identifier, manifest));

            Assert.Equal("RunStarted", manifest);
            Assert.Equal(started.ConfigFingerprint, copy.ConfigFingerprint);
            AssertBits(started.InitialWeights, copy.InitialWeights);
        }
        finally
        {
            await system.Terminate();
        }
    }

    // ---- Sample state ----

    private static CoordinatorCheckpoint FullCheckpoint() => new()
    {
        ServerStep = 12,
        Now = 345.678,
        NextJob = 101,
        InFlight = [new CheckpointJob(97, 3, 11, 4, Dropped: false, Arrived: true) { PreviousJob = 41 }, new CheckpointJob(100, 8, 12, 5, Dropped: true, Arrived: false)],
        LastResultChanges = [new ClientJob(3, 41), new ClientJob(11, 96)],
        Events = [new CheckpointEvent(346.5, 0, 97), new CheckpointEvent(double.PositiveInfinity, 3, 2), new CheckpointEvent(400, 1, 100)],
        Abandoned = [42, 57],
        Round = new CheckpointRound(5, Open: true, Outstanding: 2, EmptyRounds: 1),
        Counters = new CheckpointCounters(
            new SortedDictionary<string, long>(StringComparer.Ordinal) { ["late"] = 4, ["non_finite"] = 1, ["duplicate"] = 2, ["Ärger"] = 9 },
            UpdatesApplied: 88, DroppedStale: 6, JobsDispatched: 101, JobsDropped: 5, SamplesTrained: 123_456_789_012, TrainSeconds: 77.125,
            BytesUp: 9_876_543_210, BytesDown: 8_765_432_109, Filtered: 31, MaliciousTaken: 17, MaliciousFiltered: 12),
        Window = new CheckpointWindow(new SortedDictionary<int, long> { [0] = 3, [2] = 5, [17] = 1 }, Updates: 9, MaxStaleness: 17,
            StalenessSum: 44, NormMean: 0.123, NormM2: NaNWithPayload, CosineSum: -0.5, CosineCount: 4),
        ParticipationChanges = [new ParticipationCount(3, 7), new ParticipationCount(8, 2)],
        MaxParticipation = 7,
        PendingEvaluations =
        [
            new CheckpointEvaluation(Record(10, double.NaN), null, null),
            new CheckpointEvaluation(Record(12, double.NaN), 0.8125, double.NegativeInfinity) { BackdoorAccuracy = 0.375 },
        ],
        NewRecords = [Record(8, 0.7)],
        LastEvaluationRequested = 12,
        Finishing = true,
        Finished = false,
        Status = RunStatus.Failed,
        FailureReason = "a client sent NaN",
        Target = new TargetReached(8, 300.5, 45.25, 70, 1_000_000),
        Optimizer = new ServerOptimizerState("fedadam", 12, Floats(1000, 20), Floats(1000, 21)),
        RetainedVersions = [10, 11, 12],
    };

    private static CoordinatorCheckpoint SparseCheckpoint() => new()
    {
        ServerStep = 0,
        Now = 0,
        NextJob = 0,
        InFlight = [],
        Events = [],
        Abandoned = [],
        Round = new CheckpointRound(0, false, 0, 0),
        Counters = new CheckpointCounters(new Dictionary<string, long>(), 0, 0, 0, 0, 0, 0, 0, 0),
        Window = new CheckpointWindow(new Dictionary<int, long>(), 0, 0, 0, 0, 0, 0, 0),
        ParticipationChanges = [],
        MaxParticipation = 0,
        PendingEvaluations = [],
        NewRecords = [],
        LastEvaluationRequested = 0,
        Finishing = false,
        Finished = false,
        Status = RunStatus.Completed,
        RetainedVersions = [0],
    };

    private static EvaluationRecord Record(long step, double accuracy) => new(
        step, VirtualSeconds: step * 10.5, WallSeconds: step * 1.25, UpdatesApplied: step * 8, accuracy, Loss: 0.5 / (step + 1),
        MeanStaleness: 1.75, MaxStaleness: (int)step, BytesUp: step * 1000, BytesDown: step * 2000,
        new DriftDiagnostics(
            Updates: 8, MeanUpdateNorm: 0.25, UpdateNormVariance: 0.0625, MeanCosineToAggregate: step % 2 == 0 ? 0.9 : null,
            new SortedDictionary<int, long> { [0] = 2, [1] = (int)step, [5] = 1 }, ParticipatingClients: 20, MaxParticipation: 4,
            UpdatesRejected: 3, UpdatesDroppedStale: 2, JobsDropped: 1),
        BackdoorAccuracy: step % 4 == 0 ? 0.125 * (step % 8) : null,
        Defense: step % 3 == 0 ? null : new DefenseCounts(step * 4, step * 2, step));

    private static ClientUpdate Update(int seed, int length) => new(
        new JobId(1000 + seed), ClientId: seed * 3, BaseVersion: seed + 1, new DensePayload(Floats(length, seed)),
        new LocalTrainingStats(Samples: 640 + seed, Steps: 20, MeanLoss: 0.3 + seed, UpdateNorm: double.PositiveInfinity, ComputeSeconds: 1.5));

    private static float[] Floats(int length, int seed)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (var i = 0; i < length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }

    // ---- Helpers ----

    private static T RoundTrip<T>(T state) where T : IPersistedState
    {
        var blob = StateSerializer.Serialize(state);
        return Assert.IsType<T>(StateSerializer.Deserialize(blob));
    }

    private static StateFormatException Refused(byte[] blob, StateFormatError error)
    {
        var e = Assert.Throws<StateFormatException>(() => StateSerializer.Deserialize(blob));
        Assert.Equal(error, e.Error);
        return e;
    }

    /// <summary>Recomputes the CRC after an edit, so the test reaches the check behind it.</summary>
    private static void Reseal(byte[] blob) =>
        BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(blob.Length - 4), Crc32.HashToUInt32(blob.AsSpan(0, blob.Length - 4)));

    private static void WithSerializer(Action<StateSerializer> act)
    {
        var system = ActorSystem.Create("state-serializer-manifest", StateSerializer.Configuration);
        try
        {
            act(Assert.IsType<StateSerializer>(system.Serialization.FindSerializerFor(new RunResumed(0))));
        }
        finally
        {
            system.Terminate().Wait();
        }
    }

    private static void AssertBits(double expected, double actual) =>
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(actual));

    private static void AssertBits(double? expected, double? actual)
    {
        Assert.Equal(expected.HasValue, actual.HasValue);
        if (expected is double e) AssertBits(e, actual!.Value);
    }

    private static void AssertBits(float[]? expected, float[]? actual)
    {
        if (expected is null)
        {
            Assert.Null(actual);
            return;
        }
        Assert.NotNull(actual);
        Assert.NotSame(expected, actual);
        Assert.Equal(expected.Length, actual.Length);
        // Bits, not values: float equality would take -0 for 0 and could not tell NaN payloads apart.
        var same = MemoryMarshal.Cast<float, int>(expected).CommonPrefixLength(MemoryMarshal.Cast<float, int>(actual));
        Assert.True(same == expected.Length, $"float bits differ first at index {same} of {expected.Length}");
    }

    private static void AssertResult(IClientResult expected, IClientResult actual)
    {
        switch (expected)
        {
            case ClientUpdate u:
                var copy = Assert.IsType<ClientUpdate>(actual);
                Assert.Equal((u.Job, u.ClientId, u.BaseVersion, u.Stats), (copy.Job, copy.ClientId, copy.BaseVersion, copy.Stats));
                Assert.Equal(UpdatePayloadCodec.Encode(u.Payload), UpdatePayloadCodec.Encode(copy.Payload));
                break;
            default:
                Assert.Equal(expected, actual);
                break;
        }
    }

    private static void AssertRecords(IReadOnlyList<EvaluationRecord> expected, IReadOnlyList<EvaluationRecord> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++) AssertRecord(expected[i], actual[i]);
    }

    private static void AssertRecord(EvaluationRecord expected, EvaluationRecord actual)
    {
        // Records compare dictionaries by reference, so compare the histogram apart and the rest without it.
        var histogram = new SortedDictionary<int, long>();
        Assert.Equal(
            expected with { Diagnostics = expected.Diagnostics with { StalenessHistogram = histogram } },
            actual with { Diagnostics = actual.Diagnostics with { StalenessHistogram = histogram } });
        Assert.Equal(expected.Diagnostics.StalenessHistogram.ToArray(), actual.Diagnostics.StalenessHistogram.ToArray());
        AssertBits(expected.Accuracy, actual.Accuracy);
        AssertBits(expected.Loss, actual.Loss);
        AssertBits(expected.Diagnostics.MeanCosineToAggregate, actual.Diagnostics.MeanCosineToAggregate);
    }

    private static void AssertCheckpoint(CoordinatorCheckpoint expected, CoordinatorCheckpoint actual)
    {
        Assert.Equal(expected.ServerStep, actual.ServerStep);
        AssertBits(expected.Now, actual.Now);
        Assert.Equal(expected.NextJob, actual.NextJob);
        Assert.Equal(expected.InFlight, actual.InFlight);
        Assert.Equal(expected.LastResultChanges, actual.LastResultChanges);
        Assert.Equal(expected.Events, actual.Events);
        Assert.Equal(expected.Abandoned, actual.Abandoned);
        Assert.Equal(expected.Round, actual.Round);

        var rejected = new SortedDictionary<string, long>();
        Assert.Equal(expected.Counters with { Rejected = rejected }, actual.Counters with { Rejected = rejected });
        Assert.Equal(expected.Counters.Rejected.OrderBy(kv => kv.Key, StringComparer.Ordinal), actual.Counters.Rejected.ToArray());

        var histogram = new SortedDictionary<int, long>();
        Assert.Equal(expected.Window with { StalenessHistogram = histogram }, actual.Window with { StalenessHistogram = histogram });
        AssertBits(expected.Window.NormM2, actual.Window.NormM2);
        Assert.Equal(expected.Window.StalenessHistogram.OrderBy(kv => kv.Key), actual.Window.StalenessHistogram.ToArray());

        Assert.Equal(expected.ParticipationChanges, actual.ParticipationChanges);
        Assert.Equal(expected.MaxParticipation, actual.MaxParticipation);
        Assert.Equal(expected.PendingEvaluations.Count, actual.PendingEvaluations.Count);
        for (var i = 0; i < expected.PendingEvaluations.Count; i++)
        {
            AssertRecord(expected.PendingEvaluations[i].Snapshot, actual.PendingEvaluations[i].Snapshot);
            AssertBits(expected.PendingEvaluations[i].Accuracy, actual.PendingEvaluations[i].Accuracy);
            AssertBits(expected.PendingEvaluations[i].Loss, actual.PendingEvaluations[i].Loss);
            AssertBits(expected.PendingEvaluations[i].BackdoorAccuracy, actual.PendingEvaluations[i].BackdoorAccuracy);
        }
        AssertRecords(expected.NewRecords, actual.NewRecords);
        Assert.Equal(expected.LastEvaluationRequested, actual.LastEvaluationRequested);
        Assert.Equal(expected.Finishing, actual.Finishing);
        Assert.Equal(expected.Finished, actual.Finished);
        Assert.Equal(expected.Status, actual.Status);
        Assert.Equal(expected.FailureReason, actual.FailureReason);
        Assert.Equal(expected.Target, actual.Target);
        Assert.Equal(expected.Optimizer is null, actual.Optimizer is null);
        if (expected.Optimizer is not null)
        {
            Assert.Equal(expected.Optimizer.Optimizer, actual.Optimizer!.Optimizer);
            Assert.Equal(expected.Optimizer.Steps, actual.Optimizer.Steps);
            AssertBits(expected.Optimizer.M, actual.Optimizer.M);
            AssertBits(expected.Optimizer.V, actual.Optimizer.V);
        }
        Assert.Equal(expected.RetainedVersions, actual.RetainedVersions);
        Assert.Equal(expected.IsDelta, actual.IsDelta);
        Assert.Equal(expected.RemovedJobs, actual.RemovedJobs);
        Assert.Equal(expected.RemovedEvents, actual.RemovedEvents);
        Assert.Equal(expected.RemovedAbandoned, actual.RemovedAbandoned);
    }
}
