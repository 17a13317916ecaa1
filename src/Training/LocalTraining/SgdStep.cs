using static TorchSharp.torch;

namespace FedActors.Training.LocalTraining;

/// <summary>
/// In-place SGD with momentum, weight decay and the FedProx proximal term, on a replica's preallocated
/// buffers. It follows PyTorch's <c>torch.optim.SGD</c> (no dampening, no Nesterov):
/// d = g + λ·w + μ·(w − w_global); b ← m·b + d; w ← w − η·b. Starting from zeroed momentum buffers
/// gives PyTorch's first step (b = d), so resetting a replica between clients costs one fill.
/// </summary>
internal static class SgdStep
{
    /// <summary>Zeroes momentum buffers and records the starting weights as the proximal anchor.</summary>
    public static void Reset(ModelReplica replica, bool needAnchor)
    {
        using var noGrad = no_grad();
        for (int i = 0; i < replica.Parameters.Count; i++)
        {
            replica.Momentum[i].zero_();
            if (needAnchor) replica.Anchor[i].copy_(replica.Parameters[i]);
        }
    }

    /// <summary>Applies one step using the gradients accumulated by backward, then zeroes them.</summary>
    public static void Apply(ModelReplica replica, LocalTrainingOptions o)
    {
        using var noGrad = no_grad();
        var parameters = replica.Parameters;
        for (int i = 0; i < parameters.Count; i++)
        {
            var w = parameters[i];
            using var g = w.grad;
            if (g is null) continue;
            if (o.WeightDecay != 0) g.add_(w, alpha: o.WeightDecay);
            if (o.ProximalMu != 0)
            {
                g.add_(w, alpha: o.ProximalMu);
                g.add_(replica.Anchor[i], alpha: -o.ProximalMu);
            }
            if (o.Momentum != 0)
            {
                var b = replica.Momentum[i];
                b.mul_(o.Momentum).add_(g);
                w.add_(b, alpha: -o.LearningRate);
            }
            else
            {
                w.add_(g, alpha: -o.LearningRate);
            }
            g.zero_();
        }
    }
}
