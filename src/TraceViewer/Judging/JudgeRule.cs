using System.Globalization;

namespace TraceViewer.Judging;

/// <summary>
/// How a judge's votes became its label, in words, from what is stored with the label (method.md §4): the score is the
/// share of yes among the parsed votes; the label is yes when the score passes the threshold; undetermined when too
/// many votes failed.
/// </summary>
public static class JudgeRule
{
    /// <summary>
    /// The rule in words, e.g. "majority of the parsed votes: yes when more than half say yes, a tie is no; undetermined
    /// when more than half of the votes fail". Parts that are not stored (an imported label) are said to be unknown.
    /// </summary>
    public static string Describe(double? threshold, bool? inclusive, double? maxFailedShare)
    {
        string decision;
        if (threshold is not { } t || double.IsNaN(t))
        {
            decision = "threshold not stored";
        }
        else if (inclusive is null)
        {
            decision = $"yes when the share of yes votes passes {Share(t)} (whether a share equal to it counts was not stored)";
        }
        else if (t == 0.5 && inclusive == false)
        {
            decision = "majority of the parsed votes: yes when more than half say yes, a tie is no";
        }
        else if (t == 0.5)
        {
            decision = "yes when at least half of the parsed votes say yes, a tie is yes";
        }
        else
        {
            decision = $"yes when {(inclusive == true ? "at least" : "more than")} a share of {Share(t)} of the parsed votes say yes";
        }

        var failures = maxFailedShare is { } f && !double.IsNaN(f)
            ? $"undetermined when more than {(f == 0.5 ? "half" : "a share of " + Share(f))} of the votes fail"
            : "share of failed votes allowed not stored";
        return decision + "; " + failures;
    }

    private static string Share(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
