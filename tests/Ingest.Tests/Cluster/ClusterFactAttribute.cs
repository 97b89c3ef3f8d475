namespace Ingest.Tests.Cluster;

/// <summary>
/// A test that needs the multi-node bench of <c>scripts/cluster.sh up</c>: skipped, with the reason, unless
/// <c>INGEST_CLUSTER_UP=1</c> says it runs (the bench needs ZooKeeper, four ClickHouse servers, six Redis servers,
/// HAProxy and two ingest nodes, more than a unit-test run should start on its own).
/// </summary>
public sealed class ClusterFactAttribute : FactAttribute
{
    public ClusterFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("INGEST_CLUSTER_UP") != "1")
        {
            Skip = "the cluster bench is not up: run scripts/cluster.sh up, then set INGEST_CLUSTER_UP=1";
        }
    }
}
