using System.Text;

namespace TraceViewer.Judging;

/// <summary>
/// The answer format every judge prompt asks for, and <see cref="JudgeReplyParser"/> reads: after any reasoning,
/// one tag per criterion holding yes or no, <c>&lt;criterion_1&gt;yes&lt;/criterion_1&gt;</c> ... The parser also
/// accepts numbered lines (<c>1. yes</c>, <c>Criterion 2: no</c>) when no tag is present.
/// </summary>
internal static class JudgeAnswerFormat
{
    public static string Describe(int criteriaCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(criteriaCount, 1);
        var text = new StringBuilder();
        text.Append("Think it through first if you need to. Then finish your reply with exactly ")
            .Append(criteriaCount == 1 ? "one line" : $"{criteriaCount} lines, one per criterion")
            .Append(", each holding only the word yes or no inside its tag:\n");
        for (var i = 1; i <= criteriaCount; i++)
        {
            text.Append("<criterion_").Append(i).Append(">yes or no</criterion_").Append(i).Append(">\n");
        }

        text.Append("Answer yes only when the reasoning clearly shows what the criterion describes; when in doubt, answer no.");
        return text.ToString();
    }
}
