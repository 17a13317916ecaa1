namespace FedActors.Training.Partitioning;

/// <summary>
/// Summary statistics of a partition: how unequal client sizes are and how far each client's label
/// distribution is from the global one. Label statistics are means over clients that hold samples.
/// </summary>
/// <param name="Clients">Number of clients.</param>
/// <param name="Samples">Samples assigned to some client.</param>
/// <param name="NumClasses">Number of classes.</param>
/// <param name="EmptyClients">Clients holding no samples.</param>
/// <param name="SamplesMin">Smallest client size.</param>
/// <param name="SamplesMax">Largest client size.</param>
/// <param name="SamplesMean">Mean client size.</param>
/// <param name="SamplesStd">Population standard deviation of client sizes.</param>
/// <param name="SamplesMedian">Median client size (mean of the two middle sizes for an even count).</param>
/// <param name="SamplesGini">Gini coefficient of client sizes: 0 for equal sizes, towards 1 when few clients hold everything.</param>
/// <param name="MeanDistinctLabels">Mean number of labels a client holds at least one sample of.</param>
/// <param name="MeanLabelsAboveFivePercent">Mean number of labels that make up at least 5% of a client's samples.</param>
/// <param name="MeanLargestLabelShare">Mean share of a client's most frequent label.</param>
/// <param name="MeanTvDistance">Mean total-variation distance between a client's label distribution and the global one, in [0, 1].</param>
/// <param name="MeanJsDistance">Mean Jensen–Shannon distance (square root of the base-2 divergence) to the global label distribution, in [0, 1].</param>
public sealed record PartitionSummary(
    int Clients,
    long Samples,
    int NumClasses,
    int EmptyClients,
    int SamplesMin,
    int SamplesMax,
    double SamplesMean,
    double SamplesStd,
    double SamplesMedian,
    double SamplesGini,
    double MeanDistinctLabels,
    double MeanLabelsAboveFivePercent,
    double MeanLargestLabelShare,
    double MeanTvDistance,
    double MeanJsDistance)
{
    /// <summary>Coefficient of variation of client sizes: <see cref="SamplesStd"/> / <see cref="SamplesMean"/>.</summary>
    public double SamplesCv => SamplesMean > 0 ? SamplesStd / SamplesMean : 0;
}
