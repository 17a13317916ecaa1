namespace FedActors.Actors.Aggregation;

/// <summary>
/// The eigenvector of the largest eigenvalue of a small symmetric matrix, by cyclic Jacobi rotations: exact to rounding
/// and deterministic, where power iteration converges slowly (or to a mix) when the two largest eigenvalues are close.
/// For the n × n matrices of one step's updates (n up to a few hundred).
/// </summary>
internal static class LeadingEigenvector
{
    private const int MaxSweeps = 64;

    /// <summary>
    /// Writes the unit eigenvector of <paramref name="matrix"/>'s largest eigenvalue into <paramref name="vector"/> and
    /// returns that eigenvalue. <paramref name="matrix"/> (n × n, row-major, symmetric) is overwritten; <paramref name="rotations"/>
    /// is scratch of n × n.
    /// </summary>
    public static double Find(Span<double> matrix, int n, Span<double> rotations, Span<double> vector)
    {
        if (matrix.Length != n * n || rotations.Length != n * n || vector.Length != n)
            throw new ArgumentException($"a {n} x {n} matrix needs {n * n} values, {n * n} of scratch and a vector of {n}");
        rotations.Clear();
        for (int i = 0; i < n; i++) rotations[i * n + i] = 1;
        for (int sweep = 0; sweep < MaxSweeps; sweep++)
        {
            double off = 0, diagonal = 0;
            for (int p = 0; p < n; p++)
            {
                diagonal += matrix[p * n + p] * matrix[p * n + p];
                for (int q = p + 1; q < n; q++) off += matrix[p * n + q] * matrix[p * n + q];
            }
            if (off <= 1e-30 * diagonal || off == 0) break;
            for (int p = 0; p < n; p++)
            for (int q = p + 1; q < n; q++)
            {
                double apq = matrix[p * n + q];
                if (apq == 0) continue;
                // The rotation that zeroes a_pq (Numerical Recipes §11.1): θ = (a_qq − a_pp) / 2a_pq, t = tan φ the smaller root.
                double theta = (matrix[q * n + q] - matrix[p * n + p]) / (2 * apq);
                // θ² overflows for |θ| > 1e154: t → 1/(2θ) then, as Numerical Recipes does.
                double t = Math.Abs(theta) > 1e150 ? 0.5 / theta : (theta >= 0 ? 1 : -1) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                for (int k = 0; k < n; k++)
                {
                    double kp = matrix[k * n + p], kq = matrix[k * n + q];
                    matrix[k * n + p] = c * kp - s * kq;
                    matrix[k * n + q] = s * kp + c * kq;
                }
                for (int k = 0; k < n; k++)
                {
                    double pk = matrix[p * n + k], qk = matrix[q * n + k];
                    matrix[p * n + k] = c * pk - s * qk;
                    matrix[q * n + k] = s * pk + c * qk;
                }
                for (int k = 0; k < n; k++)
                {
                    double kp = rotations[k * n + p], kq = rotations[k * n + q];
                    rotations[k * n + p] = c * kp - s * kq;
                    rotations[k * n + q] = s * kp + c * kq;
                }
            }
        }
        int top = 0;
        for (int i = 1; i < n; i++)
            if (matrix[i * n + i] > matrix[top * n + top]) top = i;
        for (int k = 0; k < n; k++) vector[k] = rotations[k * n + top];
        return matrix[top * n + top];
    }
}
