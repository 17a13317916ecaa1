using FedActors.Actors.Compression;
using FedActors.Actors.Configuration;
using FedActors.Actors.Updates;

namespace FedActors.Actors.Tests.Compression;

/// <summary>Error feedback's residual arithmetic, worked by hand on top-1 of three values.</summary>
public sealed class ErrorFeedbackTests
{
    private sealed class Rows : IClientStateStore
    {
        public Dictionary<(int, long), float[]> Saved { get; } = new();

        public bool TryLoad(int clientId, long job, Span<float> values)
        {
            if (!Saved.TryGetValue((clientId, job), out var row)) return false;
            row.CopyTo(values);
            return true;
        }

        public void Save(int clientId, long job, ReadOnlySpan<float> values) => Saved[(clientId, job)] = values.ToArray();

        public void Retain(IReadOnlyDictionary<int, long> keepFrom) { }
    }

    private static ErrorFeedbackSettings TopOne => new([new TopKSettings(new SparsifiedCount(null, 1))]);

    private static TransformContext Job(long job, long previous) => new(7, 4, job, 0, 3) { PreviousJob = previous };

    private static float[] Decoded(UpdatePayload payload)
    {
        var dense = new float[payload.Length];
        payload.CopyTo(dense);
        return dense;
    }

    [Fact(DisplayName = "Top-1 with error feedback: [3, −1, 2] sends 3 and keeps [0, −1, 2]; then [1, 1, 1] + [0, −1, 2] = [1, 0, 3] sends the 3 and keeps [1, 0, 0]")]
    public void Residuals_must_carry_what_top_k_dropped()
    {
        var rows = new Rows();
        var ef = TopOne.Create(rows);

        var first = ef.Encode(new DensePayload([3f, -1f, 2f]), Job(0, -1));
        Assert.Equal([3f, 0f, 0f], Decoded(first));
        Assert.Equal([0f, -1f, 2f], rows.Saved[(4, 0)]);

        var second = ef.Encode(new DensePayload([1f, 1f, 1f]), Job(5, 0));
        Assert.Equal([0f, 0f, 3f], Decoded(second));
        Assert.Equal([1f, 0f, 0f], rows.Saved[(4, 5)]);
        // What was sent plus what is kept is every Δ so far: nothing lost, only late.
        Assert.Equal([4f, 0f, 3f], Decoded(first).Zip(Decoded(second), (a, b) => a + b).Zip(rows.Saved[(4, 5)], (a, b) => a + b));
    }

    [Fact(DisplayName = "A job trained again from the same previous job must send the same update and write the same residual")]
    public void A_retried_job_must_repeat_itself()
    {
        var rows = new Rows();
        var ef = TopOne.Create(rows);
        ef.Encode(new DensePayload([3f, -1f, 2f]), Job(0, -1));
        var once = Decoded(ef.Encode(new DensePayload([1f, 1f, 1f]), Job(5, 0)));
        var residual = rows.Saved[(4, 5)].ToArray();
        var again = Decoded(ef.Encode(new DensePayload([1f, 1f, 1f]), Job(5, 0)));
        Assert.Equal(once, again);
        Assert.Equal(residual, rows.Saved[(4, 5)]);
    }

    [Fact(DisplayName = "A job whose previous job left no residual must fail, naming the client and the job")]
    public void A_lost_residual_must_fail_the_job()
    {
        var e = Assert.Throws<InvalidOperationException>(() => TopOne.Create(new Rows()).Encode(new DensePayload([1f, 2f, 3f]), Job(9, 6)));
        Assert.Contains("client 4's error-feedback residual after job 6 is not in the client-state store", e.Message);
    }

    [Fact(DisplayName = "The server must decode error feedback as its codecs alone, and refuse to encode without a store")]
    public void The_server_must_decode_as_the_codecs()
    {
        var payload = TopOne.Create(new Rows()).Encode(new DensePayload([3f, -1f, 2f]), Job(0, -1));
        var server = TopOne.Create();
        Assert.Equal([3f, 0f, 0f], Decoded(server.Decode(payload, Job(0, -1), null)));
        Assert.Throws<InvalidOperationException>(() => server.Encode(new DensePayload([1f, 2f, 3f]), Job(1, -1)));
    }

    [Fact(DisplayName = "With stochastic 8-bit values the residual must be exactly the corrected update minus what the server decodes")]
    public void The_residual_must_be_what_the_server_did_not_get()
    {
        var rows = new Rows();
        ValueList<IUpdateTransformSettings> codecs = [new TopKSettings(new SparsifiedCount(null, 2)), new QuantizerSettings(8, 512)];
        var ef = new ErrorFeedbackSettings(codecs).Create(rows);
        float[] delta = [0.3f, -1.7f, 0.9f];
        var context = Job(2, -1);
        var sent = ef.Encode(new DensePayload(delta.ToArray()), context);
        var server = Decoded(new ErrorFeedbackSettings(codecs).Create().Decode(sent, context, null));
        for (int i = 0; i < 3; i++) Assert.Equal(delta[i] - server[i], rows.Saved[(4, 2)][i]);
    }
}
