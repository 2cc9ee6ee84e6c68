using AgentPipeline.Cli.Reading;
using Spectre.Console;

namespace AgentPipeline.Cli.Output;

/// <summary>How a CTA's state reads in tables, trees and messages.</summary>
internal static class CtaText
{
    /// <summary>A few words for a narrow column: <c>open</c>, <c>approved</c>, <c>rejected</c>, <c>answered</c>, <c>chose b</c>, <c>timed out</c>.</summary>
    public static string Status(CtaView cta) => cta.Status switch
    {
        CtaView.Open => "open",
        CtaView.TimedOutStatus => "timed out",
        _ => cta.Response switch
        {
            { Approved: true } => "approved",
            { Approved: false } => "rejected",
            { SelectedId: { } id } => "chose " + id,
            _ => "answered",
        },
    };

    /// <summary>The resolution in full, as plain text: what was answered and when.</summary>
    public static string ResolutionText(CtaView cta)
    {
        var when = cta.RespondedAt is { } at ? " at " + Format.Time(at) : "";
        return cta.Status switch
        {
            CtaView.Open => "open since " + Format.Time(cta.RequestedAt),
            CtaView.TimedOutStatus => "timed out" + when,
            _ => Answer(cta) + when,
        };
    }

    /// <summary>The colour of a CTA's state: open yellow, timed out red, answered green.</summary>
    public static string Style(CtaView cta) => cta.Status switch
    {
        CtaView.Open => "yellow",
        CtaView.TimedOutStatus => "red",
        _ => "green",
    };

    /// <summary><see cref="ResolutionText"/> as markup in the state's colour.</summary>
    public static string Resolution(CtaView cta) => $"[{Style(cta)}]{Markup.Escape(ResolutionText(cta))}[/]";

    /// <summary>The answer in words, e.g. <c>approved: "Looks good"</c> or <c>chose b (Token bucket in Redis)</c>.</summary>
    public static string Answer(CtaView cta)
    {
        var r = cta.Response;
        if (r is null)
        {
            return Status(cta);
        }
        if (r.Approved is { } approved)
        {
            return (approved ? "approved" : "rejected") + (r.Reason is { } reason ? $": \"{reason}\"" : "");
        }
        if (r.SelectedId is { } id)
        {
            var label = cta.RequestOptions?.FirstOrDefault(o => o.Id == id)?.Label;
            return $"chose {id}" + (label is null ? "" : $" ({label})");
        }
        return $"answered: \"{r.Text}\"";
    }
}
