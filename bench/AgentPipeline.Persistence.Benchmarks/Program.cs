using BenchmarkDotNet.Running;

// The benchmark classes (ours vs. prepared ADO.NET as the baseline vs. naive EF Core, per provider)
// arrive with the speed work; the project builds in CI so they never rot.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
