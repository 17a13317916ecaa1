using FedActors.Actors.Aggregation;

namespace FedActors.Actors.Tests.Aggregation;

/// <summary>Jacobi's leading eigenvector against eigenpairs worked by hand.</summary>
public sealed class LeadingEigenvectorTests
{
    private static (double Value, double[] Vector) Find(double[] matrix, int n)
    {
        var vector = new double[n];
        double value = LeadingEigenvector.Find(matrix, n, new double[n * n], vector);
        return (value, vector);
    }

    [Fact(DisplayName = "[[2, 1], [1, 2]] must give eigenvalue 3 with (1, 1)/√2; a diagonal matrix its largest entry's axis")]
    public void Two_by_two_and_diagonal()
    {
        var (value, vector) = Find([2, 1, 1, 2], 2);
        Assert.Equal(3, value, 12);
        Assert.Equal(1 / Math.Sqrt(2), Math.Abs(vector[0]), 12);
        Assert.Equal(vector[0], vector[1], 12);

        (value, vector) = Find([1, 0, 0, 0, 5, 0, 0, 0, 2], 3);
        Assert.Equal(5, value, 12);
        Assert.Equal([0.0, 1.0, 0.0], vector.Select(Math.Abs));
    }

    [Fact(DisplayName = "[[4, 1, 0], [1, 4, 1], [0, 1, 4]] must give 4 + √2 with (1, √2, 1)/2")]
    public void Tridiagonal()
    {
        var (value, vector) = Find([4, 1, 0, 1, 4, 1, 0, 1, 4], 3);
        Assert.Equal(4 + Math.Sqrt(2), value, 12);
        double sign = Math.Sign(vector[1]);
        Assert.Equal(0.5, sign * vector[0], 12);
        Assert.Equal(Math.Sqrt(2) / 2, sign * vector[1], 12);
        Assert.Equal(0.5, sign * vector[2], 12);
    }
}
