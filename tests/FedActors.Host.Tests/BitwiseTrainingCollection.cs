namespace FedActors.Host.Tests;

/// <summary>
/// Tests that compare the model hashes of two trainings in this process run alone: libtorch's thread count is partly
/// process-wide, so training beside another test that sets another count can change how reductions split.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BitwiseTrainingCollection
{
    /// <summary>The collection's name, for <c>[Collection(BitwiseTrainingCollection.Name)]</c>.</summary>
    public const string Name = "bitwise training";
}
