namespace FedActors.Actors.Updates;

/// <summary>The settings of one update transform, read from the run's config; builds a fresh transform for each user.</summary>
public interface IUpdateTransformSettings
{
    /// <summary>The config name (an entry of <c>fedactors.client.transforms</c>).</summary>
    string Name { get; }

    /// <summary>A new transform (one per trainer and one for the coordinator).</summary>
    IUpdateTransform Create();

    /// <summary>
    /// A new transform for a client-side pipeline that keeps per-client vectors in <paramref name="clientState"/>
    /// (error feedback does); a transform without client state ignores the store.
    /// </summary>
    IUpdateTransform Create(IClientStateStore? clientState) => Create();

    /// <summary>Whether the transform works layer by layer, so that both sides must fill <see cref="TransformContext.Layers"/>.</summary>
    bool NeedsLayers => false;

    /// <summary>Whether the transform's client side keeps per-client vectors, so that its pipeline needs a <see cref="IClientStateStore"/>.</summary>
    bool KeepsClientState => false;
}
