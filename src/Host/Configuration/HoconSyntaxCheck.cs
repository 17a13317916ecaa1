namespace FedActors.Host.Configuration;

/// <summary>
/// Catches the HOCON mistakes that Akka's lenient parser accepts silently: unbalanced braces or brackets
/// and unterminated strings (Akka reads <c>a { b = 1</c> as if it were closed).
/// </summary>
internal static class HoconSyntaxCheck
{
    /// <summary>Throws a <see cref="ConfigException"/> naming <paramref name="source"/> and the line.</summary>
    public static void Check(string text, string source)
    {
        var open = new Stack<(char Bracket, int Line)>();
        var line = 1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\n') { line++; continue; }
            if (c == '#' || (c == '/' && i + 1 < text.Length && text[i + 1] == '/'))
            {
                while (i + 1 < text.Length && text[i + 1] != '\n') i++;
                continue;
            }
            if (c == '"')
            {
                i = SkipString(text, i, ref line, source);
                continue;
            }
            if (c is '{' or '[') open.Push((c, line));
            else if (c is '}' or ']')
            {
                var expected = c == '}' ? '{' : '[';
                if (open.Count == 0 || open.Peek().Bracket != expected)
                    throw new ConfigException($"{source}: line {line}: unexpected '{c}'");
                open.Pop();
            }
        }
        if (open.Count > 0)
        {
            var (bracket, at) = open.Peek();
            throw new ConfigException($"{source}: line {at}: '{bracket}' is never closed");
        }
    }

    /// <summary>Returns the index of the closing quote of the string starting at <paramref name="start"/>.</summary>
    private static int SkipString(string text, int start, ref int line, string source)
    {
        if (string.CompareOrdinal(text, start, "\"\"\"", 0, 3) == 0)
        {
            var end = text.IndexOf("\"\"\"", start + 3, StringComparison.Ordinal);
            if (end < 0) throw new ConfigException($"{source}: line {line}: unterminated \"\"\" string");
            line += text.AsSpan(start, end - start).Count('\n');
            return end + 2;
        }
        for (var i = start + 1; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '\\': i++; break;
                case '"': return i;
                case '\n': throw new ConfigException($"{source}: line {line}: unterminated string");
            }
        }
        throw new ConfigException($"{source}: line {line}: unterminated string");
    }
}
