using System.Reflection;
using System.Runtime.CompilerServices;
using AgentPipeline.Persistence;

namespace AgentPipeline.Cli.Tests;

/// <summary>
/// The CLI is a client of the library like any other: the library grants it no internals, so the
/// CLI's build itself proves that it reads and writes only through the public API.
/// </summary>
public sealed class PublicApiOnlyTests
{
    [Fact]
    public void The_library_grants_agentpipe_no_internals()
    {
        var granted = typeof(PipelineDb).Assembly.GetCustomAttributes<InternalsVisibleToAttribute>()
            .Select(a => a.AssemblyName.Split(',')[0].Trim())
            .ToList();

        Assert.DoesNotContain("agentpipe", granted);
        // The attribute is read for real: the library's own test suite is still granted them.
        Assert.Contains("AgentPipeline.Persistence.Tests", granted);
    }
}
