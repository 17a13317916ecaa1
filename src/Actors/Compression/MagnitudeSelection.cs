namespace FedActors.Actors.Compression;

/// <summary>The k-th largest of a set of magnitudes, in linear expected time (Hoare's quickselect).</summary>
internal static class MagnitudeSelection
{
    /// <summary>
    /// The <paramref name="k"/>-th largest value of <paramref name="values"/> (1-based), which the call reorders.
    /// NaN must have been replaced beforehand: it has no order.
    /// </summary>
    public static float KthLargest(Span<float> values, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, values.Length);
        // The k-th largest is the element of rank n − k in ascending order.
        int target = values.Length - k, lo = 0, hi = values.Length - 1;
        while (lo < hi)
        {
            // Median of three as pivot: sorted or constant runs, common in updates, stay linear.
            int mid = lo + ((hi - lo) >> 1);
            if (values[mid] < values[lo]) Swap(values, mid, lo);
            if (values[hi] < values[lo]) Swap(values, hi, lo);
            if (values[hi] < values[mid]) Swap(values, hi, mid);
            float pivot = values[mid];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (values[i] < pivot) i++;
                while (values[j] > pivot) j--;
                if (i <= j) Swap(values, i++, j--);
            }
            if (target <= j) hi = j;
            else if (target >= i) lo = i;
            else return values[target];
        }
        return values[target];
    }

    private static void Swap(Span<float> values, int a, int b) => (values[a], values[b]) = (values[b], values[a]);
}
