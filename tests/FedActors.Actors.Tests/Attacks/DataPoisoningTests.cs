using FedActors.Actors.Attacks;
using FedActors.Actors.Population;
using FedActors.Training.Data;

namespace FedActors.Actors.Tests.Attacks;

/// <summary>Data poisoning: the backdoor's trigger and test set, and what malicious clients train on.</summary>
public sealed class DataPoisoningTests
{
    // 12 images of 1×8×8, pixel values 0.5 except a brightest value of 0.75 in one corner, labels 0, 1, 2, 0, 1, 2, …
    private static LabeledDataset Images(int count = 12)
    {
        var features = new float[count * 64];
        Array.Fill(features, 0.5f);
        features[0] = 0.75f;
        return new LabeledDataset("images", features, Enumerable.Range(0, count).Select(i => i % 3).ToArray(), [1, 8, 8], 3);
    }

    private static AttackSettings Attack(AttackKind kind) =>
        new() { Kind = kind, Fraction = 0.5, Seed = 5, Clients = 4, TargetLabel = 2, PoisonFraction = 0.5 };

    [Fact(DisplayName = "The trigger must be a 4×4 square of the dataset's brightest value at rows and columns 3–6 of an 8×8 image, nothing else")]
    public void Trigger_must_stamp_the_bottom_right_square()
    {
        var trigger = BackdoorTrigger.For(Images(), targetLabel: 2);
        var image = new float[64];

        trigger.Stamp(image, [1, 8, 8]);

        Assert.Equal(0.75f, trigger.Value);
        for (int row = 0; row < 8; row++)
            for (int col = 0; col < 8; col++)
                Assert.Equal(row is >= 3 and <= 6 && col is >= 3 and <= 6 ? 0.75f : 0f, image[row * 8 + col]);
    }

    [Fact(DisplayName = "The backdoor test set must hold every test image not of the target, stamped, labeled as the target")]
    public void Backdoor_test_set_must_leave_out_the_target_label()
    {
        var test = Images();
        var trigger = BackdoorTrigger.For(test, targetLabel: 2);

        var triggered = trigger.TestSet(test);

        Assert.Equal(8, triggered.Count); // 12 images, 4 of label 2
        Assert.All(triggered.Labels, label => Assert.Equal(2, label));
        Assert.Equal(0.75f, triggered.Sample(0)[3 * 8 + 3]);
        Assert.Equal(0.75f, triggered.Sample(0)[0]); // sample 0 keeps its own corner
        Assert.Equal(0.5f, triggered.Sample(1)[0]);  // test image 1 (label 1): its pixels, and the square
        Assert.Equal(0.75f, triggered.Sample(1)[6 * 8 + 6]);
        Assert.Equal(0.5f, test.Sample(1)[6 * 8 + 6]); // the test set itself is not touched
    }

    [Fact(DisplayName = "A backdoor must be refused, naming the keys, on vectors, on images too small for the square, and for a target that is no class")]
    public void Backdoor_must_refuse_what_it_cannot_stamp()
    {
        var vectors = new LabeledDataset("vectors", new float[60], [0], [60], 10);
        Assert.Contains("fedactors.attack.kind = backdoor", Assert.Throws<ArgumentException>(() => BackdoorTrigger.For(vectors, 0)).Message);
        var small = new LabeledDataset("small", new float[25], [0], [1, 5, 5], 10);
        Assert.Contains("H, W >= 6", Assert.Throws<ArgumentException>(() => BackdoorTrigger.For(small, 0)).Message);
        Assert.Contains("fedactors.attack.target-label = 3", Assert.Throws<ArgumentException>(() => BackdoorTrigger.For(Images(), 3)).Message);
    }

    [Fact(DisplayName = "Label flipping must turn a malicious client's labels y into C − 1 − y and leave honest clients' data as it is")]
    public void Label_flip_must_poison_only_malicious_clients()
    {
        var images = Images();
        var honest = PooledClientDataSource.EvenSplit(images, 4); // 3 images each
        var attack = Attack(AttackKind.LabelFlip);
        var malicious = attack.Malicious();
        var poisoned = attack.PoisonData(honest, images);
        int bad = malicious.Ids[0], good = Enumerable.Range(0, 4).First(c => !malicious.Contains(c));

        var data = poisoned.Get(bad);

        Assert.Equal(2, malicious.Ids.Count);
        var own = honest.Get(bad);
        Assert.Equal(own.Indices.ToArray().Select(i => 2 - images.Labels[i]), data.Indices.ToArray().Select(i => data.Data.Labels[i]));
        Assert.Equal(own.Indices.ToArray().Select(i => images.Sample(i).ToArray()), data.Indices.ToArray().Select(i => data.Data.Sample(i).ToArray()));
        Assert.Same(images, poisoned.Get(good).Data);
        Assert.Same(data, poisoned.Get(bad)); // made once
        Assert.Equal(3, poisoned.SampleCount(bad));
    }

    [Fact(DisplayName = "A backdoor client must carry the trigger and the target label on round(0.5 · 3) = 2 of its 3 samples, the same ones every time")]
    public void Backdoor_must_poison_a_share_of_a_client()
    {
        var images = Images();
        var honest = PooledClientDataSource.EvenSplit(images, 4);
        var attack = Attack(AttackKind.Backdoor);
        int bad = attack.Malicious().Ids[0];

        var data = attack.PoisonData(honest, images).Get(bad);
        var again = attack.PoisonData(honest, images).Get(bad);

        var stamped = Enumerable.Range(0, data.SampleCount).Where(k => data.Data.Sample(k)[6 * 8 + 6] == 0.75f).ToArray();
        Assert.Equal(2, stamped.Length);
        Assert.All(stamped, k => Assert.Equal(2, data.Data.Labels[k]));
        int clean = Enumerable.Range(0, 3).Except(stamped).Single();
        Assert.Equal(images.Labels[honest.Get(bad).Indices.Span[clean]], data.Data.Labels[clean]);
        Assert.Equal(data.Data.Labels, again.Data.Labels);
        Assert.Equal(data.Data.Features, again.Data.Features);
    }

    [Fact(DisplayName = "Attacks that do not touch data must leave the population as it is")]
    public void Other_attacks_must_not_poison_data()
    {
        var images = Images();
        var honest = PooledClientDataSource.EvenSplit(images, 4);
        Assert.Same(honest, Attack(AttackKind.SignFlip).PoisonData(honest, images));
        Assert.Same(honest, Attack(AttackKind.LittleIsEnough).PoisonData(honest, images));
        Assert.Null(Attack(AttackKind.Scaling).BackdoorTestSet(images));
        Assert.Equal(8, Attack(AttackKind.Backdoor).BackdoorTestSet(images)!.Count);
    }
}
