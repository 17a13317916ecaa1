using FedActors.Actors.Aggregation;

namespace FedActors.Actors.Tests.Aggregation;

/// <summary>Mean shift's bandwidth and largest cluster on points placed by hand.</summary>
public sealed class MeanShiftTests
{
    [Fact(DisplayName = "The bandwidth of ten points at 0 … 9 must be 1.2 at quantile 0.3 (third nearest, itself first) and 2.6 at 0.5 (fifth); of 0, 1, 2, 3, 10 at 0.2, 0")]
    public void Bandwidth_must_follow_scikit_learns_estimate()
    {
        double[] line = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        // Third nearest: 2 at both ends, 1 inside: 12 / 10. Fifth: 4, 3, then 2 six times, then 3, 4: 26 / 10.
        Assert.Equal(1.2, MeanShift.Bandwidth(line, 10, 1, 0.3, new double[10]), 12);
        Assert.Equal(2.6, MeanShift.Bandwidth(line, 10, 1, 0.5, new double[10]), 12);
        Assert.Equal(0, MeanShift.Bandwidth([0, 1, 2, 3, 10], 5, 1, 0.2, new double[5]));
    }

    [Fact(DisplayName = "Six points near 0 and four near 10 (1-D) must give the six as the largest cluster")]
    public void Largest_cluster_must_hold_the_majority()
    {
        double[] points = [0, 0.1, 0.2, 10, 0.3, 10.1, 0.4, 10.2, 0.5, 10.3];
        var largest = new bool[10];

        new MeanShift().LargestCluster(points, 10, 1, largest);

        Assert.Equal([true, true, true, false, true, false, true, false, true, false], largest);
    }

    [Fact(DisplayName = "Two far points among eight close ones in 2-D must be left out; identical points must form one cluster")]
    public void Outliers_must_be_left_out()
    {
        double[] points = [0.5, 0.5, 0.51, 0.49, 0.5, 0.52, 0.48, 0.5, 0.1, 0.9, 0.49, 0.51, 0.5, 0.48, 0.52, 0.5, 0.1, 0.9, 0.51, 0.5];
        var largest = new bool[10];

        var clustering = new MeanShift();
        clustering.LargestCluster(points, 10, 2, largest);

        Assert.Equal([true, true, true, true, false, true, true, true, false, true], largest);
        var same = new bool[3];
        clustering.LargestCluster([1, 1, 1], 3, 1, same);
        Assert.Equal([true, true, true], same);
    }
}
