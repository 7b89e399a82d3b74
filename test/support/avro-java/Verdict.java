// The reference verdict on Avro schema files: Apache Avro Java, read the way the Schema Registry reads
// .avsc (a fresh Schema.Parser per file, defaults validated) and the way avro-tools reads .avdl
// (IdlReader, imports relative to the file). Prints one line per file: `path<TAB>ok` or
// `path<TAB>invalid: message` (message on one line). File paths come as arguments, or one per line on
// standard input when there are none. Run as a single-file program:
//   java -cp 'target/lib/*' Verdict.java a.avsc b.avdl
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.idl.IdlFile;
import org.apache.avro.idl.IdlReader;

public class Verdict {
  static String verdict(String file) {
    try {
      if (file.endsWith(".avdl")) {
        IdlFile idl = new IdlReader().parse(Path.of(file));
        // touching every schema makes sure all references were resolved
        if (idl.getProtocol() != null) idl.getProtocol().toString();
        if (idl.getMainSchema() != null) idl.getMainSchema().toString();
        for (Schema s : idl.getNamedSchemas().values()) s.toString();
      } else {
        String text = Files.readString(Path.of(file), StandardCharsets.UTF_8);
        new Schema.Parser().setValidateDefaults(true).parse(text);
      }
      return "ok";
    } catch (Throwable e) {
      String message = e.getMessage() == null ? e.getClass().getName() : e.getClass().getSimpleName() + ": " + e.getMessage();
      return "invalid: " + message.replaceAll("\\s+", " ").trim();
    }
  }

  public static void main(String[] args) throws Exception {
    List<String> files = new ArrayList<>(List.of(args));
    if (files.isEmpty()) {
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line; (line = in.readLine()) != null; ) if (!line.isBlank()) files.add(line.trim());
    }
    StringBuilder out = new StringBuilder();
    for (String f : files) out.append(f).append('\t').append(verdict(f)).append('\n');
    System.out.print(out);
    System.out.flush();
  }
}
