using System.Runtime.InteropServices;

namespace TraceViewer.Metrics.Engine;

/// <summary>KL divergence between two samples of labels, as the reference computes it.</summary>
internal static class KlDivergence
{
    /// <summary>
    /// KL(A‖B) with additive smoothing over the union of observed labels, natural log, clipped at 0.
    /// Empty labels are ignored; an empty side gives 0. Labels absent from A still contribute their
    /// (tiny, smoothed) term, as in the reference.
    /// </summary>
    public static double Compute(IEnumerable<string> a, IEnumerable<string> b, double alpha)
    {
        var counts = new Dictionary<string, (int A, int B)>(StringComparer.Ordinal);
        var n1 = 0;
        var n2 = 0;
        foreach (var label in a)
        {
            if (label.Length > 0)
            {
                CollectionsMarshal.GetValueRefOrAddDefault(counts, label, out _).A++;
                n1++;
            }
        }

        foreach (var label in b)
        {
            if (label.Length > 0)
            {
                CollectionsMarshal.GetValueRefOrAddDefault(counts, label, out _).B++;
                n2++;
            }
        }

        if (n1 == 0 || n2 == 0)
        {
            return 0.0;
        }

        var v = counts.Count;
        var sum = 0.0;
        foreach (var (c1, c2) in counts.Values)
        {
            var p = (c1 + alpha) / (n1 + alpha * v);
            var q = (c2 + alpha) / (n2 + alpha * v);
            sum += p * Math.Log(p / q);
        }

        return Math.Max(0.0, sum);
    }
}
