// mockloop's Java test driver. Compiled inside the sandbox beside the
// candidate's Solution.java; finds the method the tests call on class
// Solution, converts each case's JSON arguments to the types its parameters
// declare (primitives, String, arrays, List, Map, Object), calls it and
// writes one result line per case, each prefixed with this run's nonce, to a
// private copy of stdout. The candidate's own prints are captured per case
// and bounded; the server compares the values itself.
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

public class Harness {
    /** A value the tests cannot give to a parameter of this type. */
    static final class Mismatch extends Exception {
        Mismatch(String message) {
            super(message);
        }
    }

    /** Keeps at most `cap` bytes of what the candidate prints. */
    static final class Capture extends OutputStream {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final int cap;

        Capture(int cap) {
            this.cap = cap;
        }

        @Override
        public void write(int b) {
            if (bytes.size() < cap) bytes.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            int room = cap - bytes.size();
            if (room > 0) bytes.write(b, off, Math.min(len, room));
        }

        String text() {
            // A character cut at the cap decodes as a replacement character.
            return new String(bytes.toByteArray(), StandardCharsets.UTF_8);
        }
    }

    static PrintStream results;
    static String nonce;

    public static void main(String[] argv) throws IOException {
        String text = new String(Files.readAllBytes(Paths.get("/sandbox/input.json")), StandardCharsets.UTF_8);
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = (Map<String, Object>) new Parser(text).value();
        nonce = (String) spec.get("nonce");
        int cap = ((Number) spec.get("output_cap")).intValue();
        String function = (String) spec.get("function");
        results = new PrintStream(new FileOutputStream(FileDescriptor.out), true, "UTF-8");
        Capture out = capture(cap);
        Method method;
        Object target = null;
        try {
            Class<?> solution = Class.forName("Solution");
            method = find(solution, function);
            method.setAccessible(true);
            if (!Modifier.isStatic(method.getModifiers())) {
                var constructor = solution.getDeclaredConstructor();
                constructor.setAccessible(true);
                target = constructor.newInstance();
            }
        } catch (Throwable e) {
            emit("{\"kind\": \"load_error\", \"error\": " + quote(describe(e)) + ", \"output\": " + quote(out.text()) + "}");
            return;
        }
        emit("{\"kind\": \"loaded\", \"output\": " + quote(out.text()) + "}");
        @SuppressWarnings("unchecked")
        List<Object> cases = (List<Object>) spec.get("cases");
        Type[] types = method.getGenericParameterTypes();
        for (int index = 0; index < cases.size(); index++) {
            out = capture(cap);
            String head = "{\"kind\": \"case\", \"index\": " + index;
            try {
                @SuppressWarnings("unchecked")
                List<Object> args = (List<Object>) cases.get(index);
                if (args.size() != types.length) {
                    throw new Mismatch("the test passes " + args.size() + " arguments; the method takes " + types.length);
                }
                Object[] values = new Object[types.length];
                for (int i = 0; i < types.length; i++) {
                    try {
                        values[i] = convert(args.get(i), types[i]);
                    } catch (Mismatch e) {
                        throw new Mismatch("argument " + (i + 1) + ": " + e.getMessage());
                    }
                }
                Object value = method.invoke(target, values);
                String json = method.getReturnType() == void.class ? "null" : toJson(value);
                emit(head + ", \"ok\": true, \"output\": " + quote(out.text()) + ", \"value\": " + json + "}");
            } catch (Mismatch e) {
                emit(head + ", \"ok\": false, \"error\": "
                        + quote("the test's arguments do not fit the method's parameters: " + e.getMessage())
                        + ", \"output\": " + quote(out.text()) + "}");
            } catch (Throwable e) {
                Throwable cause = e instanceof InvocationTargetException ? e.getCause() : e;
                emit(head + ", \"ok\": false, \"error\": " + quote(describe(cause)) + ", \"output\": " + quote(out.text()) + "}");
            }
        }
        emit("{\"kind\": \"done\"}");
    }

    static Capture capture(int cap) throws IOException {
        Capture c = new Capture(cap);
        PrintStream stream = new PrintStream(c, true, "UTF-8");
        System.setOut(stream);
        System.setErr(stream);
        return c;
    }

    static void emit(String record) {
        results.print(nonce + " " + record + "\n");
        results.flush();
    }

    static Method find(Class<?> solution, String name) throws NoSuchMethodException {
        for (Method m : solution.getDeclaredMethods()) {
            if (m.getName().equals(name)) return m;
        }
        throw new NoSuchMethodException("class Solution has no method named " + name);
    }

    /** The exception and the line of Solution.java it came from. */
    static String describe(Throwable e) {
        String text = e.getClass().getSimpleName();
        if (e.getMessage() != null) text += ": " + e.getMessage();
        if (e instanceof ClassNotFoundException) text = "there is no class named Solution";
        for (StackTraceElement frame : e.getStackTrace()) {
            if ("Solution.java".equals(frame.getFileName())) {
                text += " (line " + frame.getLineNumber() + ")";
                break;
            }
        }
        return text.length() > 1000 ? text.substring(0, 1000) : text;
    }

    static Object convert(Object json, Type type) throws Mismatch {
        if (type instanceof ParameterizedType) {
            ParameterizedType p = (ParameterizedType) type;
            Class<?> raw = (Class<?>) p.getRawType();
            Type[] params = p.getActualTypeArguments();
            if (Map.class.isAssignableFrom(raw)) {
                if (!(json instanceof Map)) throw new Mismatch("expected an object");
                Map<String, Object> out = raw.isAssignableFrom(LinkedHashMap.class) ? new LinkedHashMap<>() : new HashMap<>();
                for (Map.Entry<?, ?> e : ((Map<?, ?>) json).entrySet()) {
                    out.put((String) e.getKey(), convert(e.getValue(), params[1]));
                }
                return out;
            }
            if (Collection.class.isAssignableFrom(raw)) {
                if (!(json instanceof List)) throw new Mismatch("expected a list");
                Collection<Object> out = Set.class.isAssignableFrom(raw) ? new HashSet<>() : new ArrayList<>();
                for (Object item : (List<?>) json) out.add(convert(item, params[0]));
                return out;
            }
            throw new Mismatch("the tests cannot pass a " + raw.getSimpleName());
        }
        if (!(type instanceof Class)) return natural(json);
        Class<?> c = (Class<?>) type;
        if (c == Object.class) return natural(json);
        if (c == int.class || c == Integer.class) return (int) integer(json, Integer.MIN_VALUE, Integer.MAX_VALUE);
        if (c == long.class || c == Long.class) return integer(json, Long.MIN_VALUE, Long.MAX_VALUE);
        if (c == short.class || c == Short.class) return (short) integer(json, Short.MIN_VALUE, Short.MAX_VALUE);
        if (c == byte.class || c == Byte.class) return (byte) integer(json, Byte.MIN_VALUE, Byte.MAX_VALUE);
        if (c == double.class || c == Double.class) return number(json);
        if (c == float.class || c == Float.class) return (float) number(json);
        if (c == boolean.class || c == Boolean.class) {
            if (!(json instanceof Boolean)) throw new Mismatch("expected true or false");
            return json;
        }
        if (c == char.class || c == Character.class) {
            if (!(json instanceof String) || ((String) json).length() != 1) throw new Mismatch("expected a one-character string");
            return ((String) json).charAt(0);
        }
        if (c == String.class) {
            if (!(json instanceof String)) throw new Mismatch("expected a string");
            return json;
        }
        if (c.isArray()) {
            if (!(json instanceof List)) throw new Mismatch("expected a list");
            List<?> items = (List<?>) json;
            Object out = Array.newInstance(c.getComponentType(), items.size());
            for (int i = 0; i < items.size(); i++) Array.set(out, i, convert(items.get(i), c.getComponentType()));
            return out;
        }
        if (List.class.isAssignableFrom(c) || Map.class.isAssignableFrom(c)) return natural(json);
        throw new Mismatch("the tests cannot pass a " + c.getSimpleName());
    }

    /** Where the parameter says only Object: an integer that fits is an Integer, as Java code expects. */
    static Object natural(Object json) {
        if (json instanceof Long && (Long) json >= Integer.MIN_VALUE && (Long) json <= Integer.MAX_VALUE) {
            return ((Long) json).intValue();
        }
        if (json instanceof List) {
            List<Object> out = new ArrayList<>();
            for (Object item : (List<?>) json) out.add(natural(item));
            return out;
        }
        if (json instanceof Map) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) json).entrySet()) out.put((String) e.getKey(), natural(e.getValue()));
            return out;
        }
        return json;
    }

    static long integer(Object json, long min, long max) throws Mismatch {
        if (!(json instanceof Long)) throw new Mismatch("expected an integer");
        long v = (Long) json;
        if (v < min || v > max) throw new Mismatch("an integer out of range");
        return v;
    }

    static double number(Object json) throws Mismatch {
        if (!(json instanceof Number)) throw new Mismatch("expected a number");
        return ((Number) json).doubleValue();
    }

    static String toJson(Object v) {
        if (v == null) return "null";
        if (v instanceof Boolean) return v.toString();
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) throw new IllegalArgumentException("the return value is not JSON: a NaN or infinity");
            return Double.toString(d);
        }
        if (v instanceof Number) return v.toString();
        if (v instanceof Character || v instanceof CharSequence) return quote(v.toString());
        StringBuilder out = new StringBuilder();
        if (v instanceof Map) {
            out.append('{');
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                if (out.length() > 1) out.append(',');
                out.append(quote(String.valueOf(e.getKey()))).append(':').append(toJson(e.getValue()));
            }
            return out.append('}').toString();
        }
        out.append('[');
        if (v.getClass().isArray()) {
            for (int i = 0; i < Array.getLength(v); i++) {
                if (i > 0) out.append(',');
                out.append(toJson(Array.get(v, i)));
            }
        } else if (v instanceof Iterable) {
            for (Object item : (Iterable<?>) v) {
                if (out.length() > 1) out.append(',');
                out.append(toJson(item));
            }
        } else {
            throw new IllegalArgumentException("the return value is not JSON: a " + v.getClass().getSimpleName());
        }
        return out.append(']').toString();
    }

    static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': out.append("\\\""); break;
                case '\\': out.append("\\\\"); break;
                case '\n': out.append("\\n"); break;
                case '\r': out.append("\\r"); break;
                case '\t': out.append("\\t"); break;
                default:
                    if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
            }
        }
        return out.append('"').toString();
    }

    /** JSON: objects as LinkedHashMap, arrays as ArrayList, integers as Long, other numbers as Double. */
    static final class Parser {
        final String t;
        int p = 0;

        Parser(String t) {
            this.t = t;
        }

        void ws() {
            while (p < t.length() && Character.isWhitespace(t.charAt(p))) p++;
        }

        boolean eat(char c) {
            ws();
            if (p < t.length() && t.charAt(p) == c) {
                p++;
                return true;
            }
            return false;
        }

        void expect(char c) {
            if (!eat(c)) throw new IllegalStateException("malformed input.json");
        }

        Object value() {
            ws();
            char c = t.charAt(p);
            if (c == '{') {
                p++;
                Map<String, Object> out = new LinkedHashMap<>();
                if (eat('}')) return out;
                do {
                    ws();
                    String key = string();
                    expect(':');
                    out.put(key, value());
                } while (eat(','));
                expect('}');
                return out;
            }
            if (c == '[') {
                p++;
                List<Object> out = new ArrayList<>();
                if (eat(']')) return out;
                do out.add(value());
                while (eat(','));
                expect(']');
                return out;
            }
            if (c == '"') return string();
            if (t.startsWith("true", p)) {
                p += 4;
                return Boolean.TRUE;
            }
            if (t.startsWith("false", p)) {
                p += 5;
                return Boolean.FALSE;
            }
            if (t.startsWith("null", p)) {
                p += 4;
                return null;
            }
            int start = p;
            while (p < t.length() && "+-0123456789.eE".indexOf(t.charAt(p)) >= 0) p++;
            String number = t.substring(start, p);
            if (number.matches("-?\\d+")) {
                try {
                    return Long.parseLong(number);
                } catch (NumberFormatException e) {
                    return Double.parseDouble(number);
                }
            }
            return Double.parseDouble(number);
        }

        String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (t.charAt(p) != '"') {
                char c = t.charAt(p++);
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                char e = t.charAt(p++);
                switch (e) {
                    case 'n': out.append('\n'); break;
                    case 't': out.append('\t'); break;
                    case 'r': out.append('\r'); break;
                    case 'b': out.append('\b'); break;
                    case 'f': out.append('\f'); break;
                    case 'u':
                        out.append((char) Integer.parseInt(t.substring(p, p + 4), 16));
                        p += 4;
                        break;
                    default: out.append(e);
                }
            }
            p++;
            return out.toString();
        }
    }
}
