namespace FedActors.Actors.Updates;

/// <summary>The settings of one update transform, read from the run's config; builds a fresh transform for each user.</summary>
public interface IUpdateTransformSettings
{
    /// <summary>The config name (an entry of <c>fedactors.client.transforms</c>).</summary>
    string Name { get; }

    /// <summary>A new transform (one per trainer and one for the coordinator).</summary>
    IUpdateTransform Create();
}
