using AgentPipeline.Persistence.Tests.Infrastructure;

namespace AgentPipeline.Persistence.Tests.Contract;

/// <summary>
/// Base of the contract suite: written once, run on every provider by sealed one-line
/// subclasses. Each test gets its own handle and its own hand-moved clock.
/// </summary>
public abstract class ContractTests<TFixture> : IClassFixture<TFixture>, IAsyncLifetime
    where TFixture : StoreFixture
{
    protected ContractTests(TFixture fixture)
    {
        Fixture = fixture;
        Clock = new ManualClock();
        Db = PipelineDb.Open(fixture.Target, Clock);
    }

    protected TFixture Fixture { get; }

    protected ManualClock Clock { get; }

    protected PipelineDb Db { get; }

    protected static System.Text.Json.JsonElement Json(string json) => Seed.Json(json);

    protected static void AssertJson(string expected, object? stored) =>
        Assert.True(System.Text.Json.JsonElement.DeepEquals(Json(expected), StoreFixture.AsJson(stored)!.Value),
            $"expected {expected}, stored {stored}");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await Db.DisposeAsync();
}
