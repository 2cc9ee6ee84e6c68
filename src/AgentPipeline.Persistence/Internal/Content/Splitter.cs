using System.Text.Json;

namespace AgentPipeline.Persistence.Internal.Content;

/// <summary>The hash of a piece made earlier from the same bytes, when known (a cache's lookup).</summary>
internal delegate bool LiteralReuse(ReadOnlySpan<byte> text, out UInt128 hash);

/// <summary>One part of a value's stored text: bytes [Start, End) of its UTF-8, a piece (stored by hash) or literal text.</summary>
internal readonly record struct Part(bool Piece, int Start, int End, UInt128 Hash);

/// <summary>
/// Cuts a value's stored text (UTF-8) into parts whose concatenation is the text, byte for byte.
/// A JSON value is walked once: every container of <see cref="SharedForm.MinPiece"/> bytes or more
/// is descended into, so the pieces are the large leaves (a message's text, a tool output, a tool's
/// description, a base64 image): the same text is then one piece wherever it appears, in a request,
/// a step's content or an invocation's response messages, whatever JSON surrounds it. The text
/// between pieces (punctuation, keys, small values) is literal, or a piece itself when it is as
/// large as one. Plain text is one piece. A piece longer than <see cref="SharedForm.MaxPiece"/> is cut into
/// pieces of that size from its start (<see cref="Cut"/>). Every cut falls between JSON tokens or, inside a long
/// one, before a character's first byte, so no character is ever split.
/// </summary>
internal static class Splitter
{
    public static List<Part> Split(ReadOnlySpan<byte> utf8, bool json)
    {
        var pieces = new List<Part>();
        if (utf8.Length >= SharedForm.Threshold)
        {
            foreach (var (start, end) in json ? JsonPieces(utf8) : Cut(utf8, 0, utf8.Length, []))
            {
                pieces.Add(new Part(true, start, end, SharedForm.Hash(utf8[start..end])));
            }
        }
        return Assemble(utf8, pieces, reuse: null);
    }

    /// <summary>
    /// The parts of <paramref name="utf8"/> given its pieces (in order, hashed): the text between them
    /// is literal, or a piece when it is large or unsafe; <paramref name="reuse"/>, when given, may
    /// supply such a part already made for the same bytes (its hash), so that it is not hashed again.
    /// </summary>
    public static List<Part> Assemble(ReadOnlySpan<byte> utf8, List<Part> pieces, LiteralReuse? reuse) => Assemble(utf8, pieces, reuse, []);

    /// <summary>
    /// As <see cref="Assemble(ReadOnlySpan{byte}, List{Part}, LiteralReuse?)"/>, after the leading parts
    /// <paramref name="parts"/> already holds (the same as it would make for them): the pieces before their end are skipped.
    /// </summary>
    public static List<Part> Assemble(ReadOnlySpan<byte> utf8, List<Part> pieces, LiteralReuse? reuse, List<Part> parts)
    {
        var at = parts.Count > 0 ? parts[^1].End : 0;
        foreach (var piece in pieces)
        {
            if (piece.Start < at)
            {
                continue;
            }
            Literal(parts, utf8, at, piece.Start, reuse);
            parts.Add(piece);
            at = piece.End;
        }
        Literal(parts, utf8, at, utf8.Length, reuse);
        return parts;
    }

    private static void Literal(List<Part> parts, ReadOnlySpan<byte> utf8, int start, int end, LiteralReuse? reuse)
    {
        if (end > start)
        {
            if (end - start > SharedForm.MaxPiece)
            {
                // Cut like a long piece, each cut then taken by the rule below.
                foreach (var (from, to) in Cut(utf8, start, end, []))
                {
                    Literal(parts, utf8, from, to, reuse);
                }
                return;
            }
            // Text between pieces as large as a piece (many small values side by side: a list of tools) is a piece too,
            // so no literal part is large.
            var text = utf8[start..end];
            var piece = text.Length >= SharedForm.MinPiece || SharedForm.Unsafe(text);
            parts.Add(new Part(piece, start, end,
                !piece ? default : reuse is not null && reuse(text, out var hash) ? hash : SharedForm.Hash(text)));
        }
    }

    /// <summary>
    /// Bytes [<paramref name="start"/>, <paramref name="end"/>) as pieces of at most <see cref="SharedForm.MaxPiece"/>
    /// bytes, added to <paramref name="pieces"/>: each as long as it can be from where the previous one ended, short
    /// of a character's continuation bytes (UTF-8 10xxxxxx), so no character is split and the same text is always cut alike.
    /// </summary>
    internal static List<(int Start, int End)> Cut(ReadOnlySpan<byte> utf8, int start, int end, List<(int Start, int End)> pieces)
    {
        while (end - start > SharedForm.MaxPiece)
        {
            var at = start + SharedForm.MaxPiece;
            while ((utf8[at] & 0xC0) == 0x80)
            {
                at--;
            }
            pieces.Add((start, at));
            start = at;
        }
        pieces.Add((start, end));
        return pieces;
    }

    /// <summary>The pieces of a JSON text, in order, bottom-up: a container's candidates are kept if it is descended into, else it is one piece itself.</summary>
    internal static List<(int Start, int End)> JsonPieces(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = DbJson.ReadMaxDepth });
        var root = new List<(int, int)>();
        var stack = new Stack<(int Start, List<(int, int)>? Found)>();
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    stack.Push(((int)reader.TokenStartIndex, null));
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                {
                    var (start, found) = stack.Pop();
                    var end = (int)reader.BytesConsumed;
                    var parent = stack.Count > 0 ? stack.Peek().Found : root;
                    if (end - start >= SharedForm.MinPiece)
                    {
                        if (found is { Count: > 0 })
                        {
                            Parent(stack, ref parent, root).AddRange(found);
                        }
                    }
                    else if (end - start >= SharedForm.MinPiece)
                    {
                        Parent(stack, ref parent, root).Add((start, end));
                    }
                    break;
                }
                case JsonTokenType.PropertyName or JsonTokenType.Comment or JsonTokenType.None:
                    break;
                default:
                {
                    var start = (int)reader.TokenStartIndex;
                    var end = (int)reader.BytesConsumed;
                    if (end - start >= SharedForm.MinPiece)
                    {
                        List<(int, int)>? parent = stack.Count > 0 ? stack.Peek().Found : root;
                        Cut(utf8, start, end, Parent(stack, ref parent, root));
                    }
                    break;
                }
            }
        }
        return root;
    }

    /// <summary>The innermost open container's list of pieces, made on first use.</summary>
    private static List<(int, int)> Parent(Stack<(int Start, List<(int, int)>? Found)> stack, ref List<(int, int)>? parent, List<(int, int)> root)
    {
        if (parent is not null)
        {
            return parent;
        }
        if (stack.Count == 0)
        {
            return root;
        }
        var (start, _) = stack.Pop();
        parent = [];
        stack.Push((start, parent));
        return parent;
    }
}
