using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace AgentPipeline.Persistence.Benchmarks.Quick;

/// <summary>
/// CPU time this process has used on the work being measured, to the nanosecond on Linux: the sum
/// over its threads of <c>/proc/self/task/*/schedstat</c>, leaving out the runtime's background
/// JIT thread (EF Core's large code base is still being recompiled seconds into a run, and that
/// thread's time would otherwise land on whichever side happens to be measured). Unlike elapsed
/// time it barely moves when other processes compete for the cores, and it is the client side
/// alone: the library's own overhead, since the database's work is the same for every side.
/// </summary>
internal static class ProcessCpu
{
    private const int ProcessCpuTimeClock = 2;

    public static TimeSpan Now()
    {
        if (OperatingSystem.IsLinux() && TryThreads(out var total))
        {
            return total;
        }
        if (OperatingSystem.IsLinux() && ClockGetTime(ProcessCpuTimeClock, out var ts) == 0)
        {
            return TimeSpan.FromTicks(ts.Seconds * TimeSpan.TicksPerSecond + ts.Nanoseconds / 100);
        }
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    private static bool TryThreads(out TimeSpan total)
    {
        total = TimeSpan.Zero;
        try
        {
            long nanoseconds = 0;
            foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
            {
                try
                {
                    if (File.ReadAllText(Path.Combine(task, "comm")).StartsWith(".NET Tiered", StringComparison.Ordinal))
                    {
                        continue;
                    }
                    var schedstat = File.ReadAllText(Path.Combine(task, "schedstat"));
                    nanoseconds += long.Parse(schedstat.AsSpan(0, schedstat.IndexOf(' ', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
                }
                catch (IOException)
                {
                    // the thread ended meanwhile
                }
            }
            total = TimeSpan.FromTicks(nanoseconds / 100);
            return nanoseconds > 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// CPU time of a process and its direct children (the PostgreSQL postmaster and its backends),
    /// from <c>/proc/PID/schedstat</c>; null when it cannot be read. Backends that exited meanwhile
    /// take their time with them, so compare rounds that keep their connections.
    /// </summary>
    public static TimeSpan? OfProcessTree(int parentPid)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        try
        {
            long nanoseconds = 0;
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                var name = Path.GetFileName(dir);
                if (!int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                {
                    continue;
                }
                try
                {
                    if (pid != parentPid)
                    {
                        // stat: "pid (comm) state ppid …"; comm may hold spaces, so parse after the last ')'.
                        var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                        if (int.Parse(fields[1], CultureInfo.InvariantCulture) != parentPid)
                        {
                            continue;
                        }
                    }
                    var schedstat = File.ReadAllText(Path.Combine(dir, "schedstat"));
                    nanoseconds += long.Parse(schedstat.AsSpan(0, schedstat.IndexOf(' ', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
                }
                catch (IOException)
                {
                    // the process ended meanwhile
                }
            }
            return TimeSpan.FromTicks(nanoseconds / 100);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clockId, out Timespec value);
}
