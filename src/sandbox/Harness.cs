// mockloop's C# test driver. Compiled inside the sandbox beside the
// candidate's Solution.cs; finds the method the tests call on class
// Solution, converts each case's JSON arguments to the types its parameters
// declare (numbers, bool, char, string, arrays, lists, dictionaries with
// string keys, object), calls it and writes one result line per case, each
// prefixed with this run's nonce, to a private copy of stdout. The
// candidate's own prints are captured per case and bounded; the server
// compares the values itself.
using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Reflection;
using System.Text;

public static class MockloopHarness
{
    sealed class Mismatch : Exception
    {
        public Mismatch(string message) : base(message) { }
    }

    /// Keeps at most `cap` characters of what the candidate prints.
    sealed class Capture : StringWriter
    {
        readonly int cap;

        public Capture(int cap) { this.cap = cap; }

        public override void Write(char value)
        {
            if (GetStringBuilder().Length < cap) base.Write(value);
        }

        public override void Write(string value)
        {
            if (value == null) return;
            int room = cap - GetStringBuilder().Length;
            if (room > 0) base.Write(value.Length <= room ? value : value.Substring(0, room));
        }

        public override void Write(char[] buffer, int index, int count)
        {
            Write(new string(buffer, index, count));
        }
    }

    static TextWriter results;
    static string nonce;

    public static void Main()
    {
        var spec = (Dictionary<string, object>)new Parser(File.ReadAllText("/sandbox/input.json", Encoding.UTF8)).Value();
        nonce = (string)spec["nonce"];
        int cap = (int)(long)spec["output_cap"];
        string function = (string)spec["function"];
        results = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = true };
        var output = Redirect(cap);
        MethodInfo method;
        object target = null;
        try
        {
            var solution = typeof(MockloopHarness).Assembly.GetType("Solution");
            if (solution == null) throw new Mismatch("there is no class named Solution");
            method = solution.GetMethod(function, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static);
            if (method == null) throw new Mismatch("class Solution has no method named " + function);
            if (!method.IsStatic) target = Activator.CreateInstance(solution, true);
        }
        catch (Exception e)
        {
            Emit("{\"kind\": \"load_error\", \"error\": " + Quote(Describe(e)) + ", \"output\": " + Quote(output.ToString()) + "}");
            return;
        }
        Emit("{\"kind\": \"loaded\", \"output\": " + Quote(output.ToString()) + "}");
        var cases = (List<object>)spec["cases"];
        var parameters = method.GetParameters();
        for (int index = 0; index < cases.Count; index++)
        {
            output = Redirect(cap);
            string head = "{\"kind\": \"case\", \"index\": " + index;
            try
            {
                var args = (List<object>)cases[index];
                if (args.Count != parameters.Length)
                    throw new Mismatch("the test passes " + args.Count + " arguments; the method takes " + parameters.Length);
                var values = new object[parameters.Length];
                for (int i = 0; i < parameters.Length; i++)
                {
                    try
                    {
                        values[i] = Convert(args[i], parameters[i].ParameterType);
                    }
                    catch (Mismatch e)
                    {
                        throw new Mismatch("argument " + (i + 1) + ": " + e.Message);
                    }
                }
                object value = method.Invoke(target, values);
                string json = method.ReturnType == typeof(void) ? "null" : ToJson(value);
                Emit(head + ", \"ok\": true, \"output\": " + Quote(output.ToString()) + ", \"value\": " + json + "}");
            }
            catch (Mismatch e)
            {
                Emit(head + ", \"ok\": false, \"error\": " + Quote("the test's arguments do not fit the method's parameters: " + e.Message)
                    + ", \"output\": " + Quote(output.ToString()) + "}");
            }
            catch (Exception e)
            {
                var cause = e is TargetInvocationException && e.InnerException != null ? e.InnerException : e;
                Emit(head + ", \"ok\": false, \"error\": " + Quote(Describe(cause)) + ", \"output\": " + Quote(output.ToString()) + "}");
            }
        }
        Emit("{\"kind\": \"done\"}");
    }

    static Capture Redirect(int cap)
    {
        var capture = new Capture(cap);
        Console.SetOut(capture);
        Console.SetError(capture);
        return capture;
    }

    static void Emit(string record)
    {
        results.Write(nonce + " " + record + "\n");
    }

    /// The exception and the line of Solution.cs it came from.
    static string Describe(Exception e)
    {
        string text = e is Mismatch ? e.Message : e.GetType().Name + ": " + e.Message;
        foreach (var frame in new StackTrace(e, true).GetFrames() ?? new StackFrame[0])
        {
            var file = frame.GetFileName();
            if (file != null && file.EndsWith("Solution.cs") && frame.GetFileLineNumber() > 0)
            {
                text += " (line " + frame.GetFileLineNumber() + ")";
                break;
            }
        }
        return text.Length > 1000 ? text.Substring(0, 1000) : text;
    }

    static object Convert(object json, Type type)
    {
        if (type == typeof(object)) return Natural(json);
        if (type == typeof(int)) return (int)Integer(json, int.MinValue, int.MaxValue);
        if (type == typeof(long)) return Integer(json, long.MinValue, long.MaxValue);
        if (type == typeof(short)) return (short)Integer(json, short.MinValue, short.MaxValue);
        if (type == typeof(double)) return Number(json);
        if (type == typeof(float)) return (float)Number(json);
        if (type == typeof(decimal)) return (decimal)Number(json);
        if (type == typeof(bool))
        {
            if (!(json is bool)) throw new Mismatch("expected true or false");
            return json;
        }
        if (type == typeof(char))
        {
            var s = json as string;
            if (s == null || s.Length != 1) throw new Mismatch("expected a one-character string");
            return s[0];
        }
        if (type == typeof(string))
        {
            if (!(json is string)) throw new Mismatch("expected a string");
            return json;
        }
        if (type.IsArray)
        {
            var items = json as List<object>;
            if (items == null) throw new Mismatch("expected a list");
            var element = type.GetElementType();
            var array = Array.CreateInstance(element, items.Count);
            for (int i = 0; i < items.Count; i++) array.SetValue(Convert(items[i], element), i);
            return array;
        }
        if (type.IsGenericType)
        {
            var definition = type.GetGenericTypeDefinition();
            var arguments = type.GetGenericArguments();
            if (arguments.Length == 2 && arguments[0] == typeof(string)
                && (definition == typeof(Dictionary<,>) || definition == typeof(IDictionary<,>) || definition == typeof(IReadOnlyDictionary<,>)))
            {
                var fields = json as Dictionary<string, object>;
                if (fields == null) throw new Mismatch("expected an object");
                var map = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(arguments));
                foreach (var field in fields) map[field.Key] = Convert(field.Value, arguments[1]);
                return map;
            }
            if (arguments.Length == 1 && (definition == typeof(List<>) || definition == typeof(IList<>) || definition == typeof(ICollection<>)
                || definition == typeof(IEnumerable<>) || definition == typeof(IReadOnlyList<>) || definition == typeof(IReadOnlyCollection<>)))
            {
                var items = json as List<object>;
                if (items == null) throw new Mismatch("expected a list");
                var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(arguments));
                foreach (var item in items) list.Add(Convert(item, arguments[0]));
                return list;
            }
        }
        throw new Mismatch("the tests cannot pass a " + type.Name);
    }

    /// Where the parameter says only object: an integer that fits is an int, as C# code expects.
    static object Natural(object json)
    {
        if (json is long && (long)json >= int.MinValue && (long)json <= int.MaxValue) return (int)(long)json;
        var items = json as List<object>;
        if (items != null) return items.ConvertAll(Natural);
        var fields = json as Dictionary<string, object>;
        if (fields != null)
        {
            var map = new Dictionary<string, object>();
            foreach (var field in fields) map[field.Key] = Natural(field.Value);
            return map;
        }
        return json;
    }

    static long Integer(object json, long min, long max)
    {
        if (!(json is long)) throw new Mismatch("expected an integer");
        long v = (long)json;
        if (v < min || v > max) throw new Mismatch("an integer out of range");
        return v;
    }

    static double Number(object json)
    {
        if (json is long) return (long)json;
        if (json is double) return (double)json;
        throw new Mismatch("expected a number");
    }

    static string ToJson(object v)
    {
        if (v == null) return "null";
        if (v is bool) return (bool)v ? "true" : "false";
        if (v is double || v is float || v is decimal)
        {
            double d = System.Convert.ToDouble(v, CultureInfo.InvariantCulture);
            if (double.IsNaN(d) || double.IsInfinity(d)) throw new ArgumentException("the return value is not JSON: a NaN or infinity");
            return d.ToString("R", CultureInfo.InvariantCulture);
        }
        if (v is int || v is long || v is short || v is byte || v is uint || v is ulong || v is ushort || v is sbyte)
            return System.Convert.ToString(v, CultureInfo.InvariantCulture);
        if (v is char || v is string) return Quote(v.ToString());
        var sb = new StringBuilder();
        var map = v as IDictionary;
        if (map != null)
        {
            sb.Append('{');
            foreach (DictionaryEntry e in map)
            {
                if (sb.Length > 1) sb.Append(',');
                sb.Append(Quote(System.Convert.ToString(e.Key, CultureInfo.InvariantCulture))).Append(':').Append(ToJson(e.Value));
            }
            return sb.Append('}').ToString();
        }
        var items = v as IEnumerable;
        if (items == null) throw new ArgumentException("the return value is not JSON: a " + v.GetType().Name);
        sb.Append('[');
        foreach (var item in items)
        {
            if (sb.Length > 1) sb.Append(',');
            sb.Append(ToJson(item));
        }
        return sb.Append(']').ToString();
    }

    static string Quote(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4"));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }

    /// JSON: objects as Dictionary, arrays as List, integers as long, other numbers as double.
    sealed class Parser
    {
        readonly string t;
        int p;

        public Parser(string t) { this.t = t; }

        void Ws()
        {
            while (p < t.Length && char.IsWhiteSpace(t[p])) p++;
        }

        bool Eat(char c)
        {
            Ws();
            if (p < t.Length && t[p] == c) { p++; return true; }
            return false;
        }

        void Expect(char c)
        {
            if (!Eat(c)) throw new FormatException("malformed input.json");
        }

        public object Value()
        {
            Ws();
            char c = t[p];
            if (c == '{')
            {
                p++;
                var fields = new Dictionary<string, object>();
                if (Eat('}')) return fields;
                do
                {
                    Ws();
                    string key = Str();
                    Expect(':');
                    fields[key] = Value();
                } while (Eat(','));
                Expect('}');
                return fields;
            }
            if (c == '[')
            {
                p++;
                var items = new List<object>();
                if (Eat(']')) return items;
                do items.Add(Value()); while (Eat(','));
                Expect(']');
                return items;
            }
            if (c == '"') return Str();
            if (string.CompareOrdinal(t, p, "true", 0, 4) == 0) { p += 4; return true; }
            if (string.CompareOrdinal(t, p, "false", 0, 5) == 0) { p += 5; return false; }
            if (string.CompareOrdinal(t, p, "null", 0, 4) == 0) { p += 4; return null; }
            int start = p;
            while (p < t.Length && "+-0123456789.eE".IndexOf(t[p]) >= 0) p++;
            string number = t.Substring(start, p - start);
            long integer;
            if (number.IndexOfAny(new[] { '.', 'e', 'E' }) < 0 && long.TryParse(number, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out integer))
                return integer;
            return double.Parse(number, CultureInfo.InvariantCulture);
        }

        string Str()
        {
            Expect('"');
            var sb = new StringBuilder();
            while (t[p] != '"')
            {
                char c = t[p++];
                if (c != '\\') { sb.Append(c); continue; }
                char e = t[p++];
                switch (e)
                {
                    case 'n': sb.Append('\n'); break;
                    case 't': sb.Append('\t'); break;
                    case 'r': sb.Append('\r'); break;
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'u': sb.Append((char)int.Parse(t.Substring(p, 4), NumberStyles.HexNumber)); p += 4; break;
                    default: sb.Append(e); break;
                }
            }
            p++;
            return sb.ToString();
        }
    }
}
