namespace FedActors.Host.Dashboard;

/// <summary>Where the dashboard's numbers come from: a live run in this process, or a run directory's files.</summary>
public interface IDashboardSource
{
    /// <summary>The current snapshot; cheap to call once a second per open page.</summary>
    DashboardSnapshot Current();
}
