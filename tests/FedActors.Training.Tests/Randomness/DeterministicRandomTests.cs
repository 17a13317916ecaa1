namespace FedActors.Training.Tests.Randomness;

public class DeterministicRandomTests
{
    [Fact]
    public void SameKeyGivesSameStreamAndDifferentKeysDiffer()
    {
        var a = DeterministicRandom.For(42, 7, 1);
        var b = DeterministicRandom.For(42, 7, 1);
        var c = DeterministicRandom.For(42, 8, 1);
        var d = DeterministicRandom.For(42, 7, 2);
        for (int i = 0; i < 100; i++)
        {
            ulong x = a.NextUInt64();
            Assert.Equal(x, b.NextUInt64());
            Assert.NotEqual(x, c.NextUInt64());
            Assert.NotEqual(x, d.NextUInt64());
        }
    }

    [Fact]
    public void NextIntIsUniform()
    {
        // Chi-square over 10 bins, 100,000 draws: 9 degrees of freedom, p = 0.001 critical value is 27.9.
        var rng = DeterministicRandom.For(1, 0, 0);
        var counts = new int[10];
        const int n = 100_000;
        for (int i = 0; i < n; i++)
            counts[rng.NextInt(10)]++;
        double chi2 = counts.Sum(c => (c - n / 10.0) * (c - n / 10.0) / (n / 10.0));
        Assert.True(chi2 < 27.9, $"chi2 = {chi2}");
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(4.0)]
    public void GammaHasMeanAndVarianceEqualToShape(double shape)
    {
        var rng = DeterministicRandom.For(3, 0, 0);
        const int n = 200_000;
        double sum = 0, sumSq = 0;
        for (int i = 0; i < n; i++)
        {
            double g = rng.NextGamma(shape);
            Assert.True(g >= 0);
            sum += g;
            sumSq += g * g;
        }
        double mean = sum / n, variance = sumSq / n - mean * mean;
        Assert.InRange(mean, shape * 0.97, shape * 1.03);
        Assert.InRange(variance, shape * 0.9, shape * 1.1);
    }

    [Fact]
    public void NormalAndLogNormalMatchTheirMoments()
    {
        var rng = DeterministicRandom.For(5, 0, 0);
        const int n = 200_000;
        double sum = 0, sumSq = 0, logSum = 0;
        for (int i = 0; i < n; i++)
        {
            double x = rng.NextNormal(2, 3);
            sum += x;
            sumSq += x * x;
            logSum += Math.Log(rng.NextLogNormal(4, 2));
        }
        double mean = sum / n, sd = Math.Sqrt(sumSq / n - mean * mean);
        Assert.InRange(mean, 1.97, 2.03);
        Assert.InRange(sd, 2.97, 3.03);
        Assert.InRange(logSum / n, 3.97, 4.03);
    }

    [Fact]
    public void DirichletSumsToOneAndMatchesItsSecondMoment()
    {
        // For Dirichlet(α,…,α) over K components: E[p_i] = 1/K and E[p_i²] = (α+1) / (K(Kα+1)).
        // α = 0.05, K = 10: E[p_i²] = 1.05 / 15 = 0.07 (IID-like α = 100 would give about 0.01).
        var rng = DeterministicRandom.For(9, 0, 0);
        var p = new double[10];
        const int n = 20_000;
        double first = 0, second = 0;
        for (int i = 0; i < n; i++)
        {
            rng.NextDirichlet(0.05, p);
            Assert.Equal(1.0, p.Sum(), 9);
            first += p[0] / n;
            second += p.Sum(x => x * x) / (10.0 * n);
        }
        Assert.InRange(first, 0.095, 0.105);
        Assert.InRange(second, 0.067, 0.073);
    }

    [Fact]
    public void ShufflePrefix_must_draw_every_item_into_each_place_about_equally_and_keep_a_permutation()
    {
        // 6 items, prefix of 2: each item lands in place 0 (and in place 1) with probability 1/6.
        var counts = new int[2, 6];
        var rng = DeterministicRandom.For(4, 5, 6);
        const int trials = 60_000;
        for (int t = 0; t < trials; t++)
        {
            Span<int> items = [0, 1, 2, 3, 4, 5];
            rng.ShufflePrefix(items, 2);
            counts[0, items[0]]++;
            counts[1, items[1]]++;
            var sorted = items.ToArray();
            Array.Sort(sorted);
            Assert.Equal([0, 1, 2, 3, 4, 5], sorted);
        }
        for (int place = 0; place < 2; place++)
            for (int item = 0; item < 6; item++)
                Assert.InRange(counts[place, item], trials / 6 * 0.95, trials / 6 * 1.05);
        Assert.Throws<ArgumentOutOfRangeException>(() => rng.ShufflePrefix<int>(new int[3], 4));
    }

    [Fact]
    public void ShuffleIsAPermutation()
    {
        var items = Enumerable.Range(0, 1000).ToArray();
        DeterministicRandom.For(1, 2, 3).Shuffle<int>(items);
        Assert.NotEqual(Enumerable.Range(0, 1000), items);
        Assert.Equal(Enumerable.Range(0, 1000), items.Order());
    }
}
