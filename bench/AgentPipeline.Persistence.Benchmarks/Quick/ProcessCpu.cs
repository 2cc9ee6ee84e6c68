using System.Diagnostics;
using System.Runtime.InteropServices;

namespace AgentPipeline.Persistence.Benchmarks.Quick;

/// <summary>
/// CPU time this process has used, all threads, to the nanosecond on Linux
/// (<c>clock_gettime(CLOCK_PROCESS_CPUTIME_ID)</c>). Unlike elapsed time it barely moves when other
/// processes compete for the cores, and it is the client side alone: the library's own overhead,
/// since the database's work is the same for every side.
/// </summary>
internal static partial class ProcessCpu
{
    private const int ProcessCpuTimeClock = 2;

    public static TimeSpan Now()
    {
        if (OperatingSystem.IsLinux() && ClockGetTime(ProcessCpuTimeClock, out var ts) == 0)
        {
            return TimeSpan.FromTicks(ts.Seconds * TimeSpan.TicksPerSecond + ts.Nanoseconds / 100);
        }
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
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
