package io.github.junitnetns.maven;

import io.github.junitnetns.internal.launch.JvmWrapper;
import io.github.junitnetns.internal.launch.JvmWrapper.Mode;
import io.github.junitnetns.internal.launch.JvmWrapper.Result;
import io.github.junitnetns.internal.launch.JvmWrapper.WrapperException;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import javax.inject.Inject;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.model.Plugin;
import org.apache.maven.model.PluginExecution;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;
import org.apache.maven.toolchain.Toolchain;
import org.apache.maven.toolchain.ToolchainManager;
import org.codehaus.plexus.util.xml.Xpp3Dom;

/**
 * Gives this module's test JVMs (Surefire's and Failsafe's) the privileges junit-netns needs, and
 * says in one line what it chose and why.
 *
 * <pre>{@code
 * <plugin>
 *   <groupId>io.github.junitnetns</groupId>
 *   <artifactId>junit-netns-maven-plugin</artifactId>
 *   <version>0.1.0-SNAPSHOT</version>
 *   <executions><execution><goals><goal>prepare</goal></goals></execution></executions>
 * </plugin>
 * }</pre>
 *
 * <p>With {@code mode} {@code rootless} or {@code sudo} (or {@code auto} choosing one), it writes
 * {@code target/junit-netns/bin/java} and sets the project property {@code jvm}, which both
 * plugins read, to it; a {@code jvm} the user set (on the command line, in the pom's properties
 * or in either plugin's configuration) is left alone. When the test JDK is 22 or later it appends
 * {@code --enable-native-access=ALL-UNNAMED} to the project property {@code argLine}.
 */
@Mojo(name = "prepare", defaultPhase = LifecyclePhase.PROCESS_TEST_CLASSES, threadSafe = true)
public class PrepareMojo extends AbstractMojo {
  private static final String SETTING = "junitnetns.mode";
  private static final List<String> TEST_PLUGINS = List.of("maven-surefire-plugin", "maven-failsafe-plugin");

  /** {@code auto} (the default), {@code root}, {@code rootless}, {@code sudo} or {@code off}. */
  @Parameter(property = SETTING, defaultValue = "auto")
  private String mode;

  /** Where {@code bin/java} is written. */
  @Parameter(defaultValue = "${project.build.directory}/junit-netns", required = true)
  private File directory;

  /** Nothing to prepare when the tests are skipped. */
  @Parameter(property = "skipTests", defaultValue = "false")
  private boolean skipTests;

  /** Nothing to prepare when the tests are not even compiled. */
  @Parameter(property = "maven.test.skip", defaultValue = "false")
  private boolean skipTestCompilation;

  @Parameter(defaultValue = "${project}", readonly = true, required = true)
  private MavenProject project;

  @Parameter(defaultValue = "${session}", readonly = true, required = true)
  private MavenSession session;

  @Inject
  private ToolchainManager toolchains;

  @Override
  public void execute() throws MojoFailureException {
    if (skipTests || skipTestCompilation) {
      getLog().debug("junit-netns: the tests are skipped, nothing to prepare");
      return;
    }
    Mode requested;
    try {
      requested = Mode.parse(mode, SETTING);
    } catch (IllegalArgumentException e) {
      throw new MojoFailureException("junit-netns: " + e.getMessage());
    }
    Path wrapper = directory.toPath().resolve("bin").resolve("java");
    Optional<Explicit> explicit = explicitJvm(wrapper);
    List<String> notes = new ArrayList<>();
    if (explicit.isPresent() && requested != Mode.OFF) {
      jvmOptions(JvmWrapper.javaFeature(Path.of(explicit.get().java()).toAbsolutePath()), notes);
      getLog().info("junit-netns: mode off (" + explicit.get().where() + ", and left as it is; without it " + SETTING
          + "=" + requested.word() + " would choose): the test JVMs start through it" + String.join("", notes));
      return;
    }
    Result result;
    try {
      result = JvmWrapper.prepare(requested, SETTING, directory.toPath(), realJava());
    } catch (WrapperException e) {
      throw new MojoFailureException(e.getMessage());
    }
    result.wrapper().ifPresent(path -> project.getProperties().setProperty("jvm", path.toString()));
    jvmOptions(result.javaFeature(), notes);
    if (!result.warning().isEmpty()) {
      getLog().warn(result.warning() + String.join("", notes));
    } else {
      getLog().info(result.summary() + String.join("", notes));
    }
  }

  /** The java Surefire would run: the toolchain's, else Maven's own. */
  private Path realJava() {
    if (toolchains != null) {
      Toolchain jdk = toolchains.getToolchainFromBuildContext("jdk", session);
      if (jdk != null && jdk.findTool("java") != null) {
        return Path.of(jdk.findTool("java"));
      }
    }
    return Path.of(System.getProperty("java.home"), "bin", "java");
  }

  /** A {@code jvm} the user set: where, and the java it names. */
  private record Explicit(String where, String java) {
  }

  /** Where the user set {@code jvm}, if they did; a {@code jvm} pointing at our own wrapper is ours. */
  private Optional<Explicit> explicitJvm(Path wrapper) {
    String user = session.getUserProperties().getProperty("jvm");
    if (user != null) {
      return Optional.of(new Explicit("-Djvm=" + user + " is given", user));
    }
    String property = project.getProperties().getProperty("jvm");
    if (property != null && !Path.of(property).equals(wrapper)) {
      return Optional.of(new Explicit("the pom sets jvm to " + property, property));
    }
    for (Plugin plugin : project.getBuildPlugins()) {
      if (TEST_PLUGINS.contains(plugin.getArtifactId())) {
        for (Xpp3Dom configuration : configurations(plugin)) {
          Xpp3Dom jvm = configuration.getChild("jvm");
          if (jvm != null && jvm.getValue() != null && !jvm.getValue().isBlank() && !jvm.getValue().equals("${jvm}")) {
            return Optional.of(new Explicit(plugin.getArtifactId() + "'s <jvm> is " + jvm.getValue(), jvm.getValue()));
          }
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Appends the test JVMs' options to the project property {@code argLine}, which Surefire and
   * Failsafe read; where the user's own setting would hide it, a note says what to add.
   */
  private void jvmOptions(int javaFeature, List<String> notes) {
    if (javaFeature < 22) {
      return;
    }
    String option = JvmWrapper.NATIVE_ACCESS;
    String user = session.getUserProperties().getProperty("argLine");
    if (user != null) {
      if (!user.contains(option)) {
        notes.add("; add " + option + " to your -DargLine for JNA on JDK " + javaFeature);
      }
      return;
    }
    Properties properties = project.getProperties();
    String argLine = properties.getProperty("argLine", "");
    if (!argLine.contains(option)) {
      properties.setProperty("argLine", (argLine + " " + option).strip());
    }
    notes.add("; " + option + " added to argLine (JDK " + javaFeature + ")");
    for (Plugin plugin : project.getBuildPlugins()) {
      if (TEST_PLUGINS.contains(plugin.getArtifactId())) {
        for (Xpp3Dom configuration : configurations(plugin)) {
          Xpp3Dom own = configuration.getChild("argLine");
          if (own != null && own.getValue() != null && !own.getValue().contains("@{argLine}")
              && !own.getValue().contains(option)) {
            notes.add("; " + plugin.getArtifactId() + "'s <argLine> hides it: add @{argLine} to it");
            return;
          }
        }
      }
    }
  }

  private static List<Xpp3Dom> configurations(Plugin plugin) {
    List<Xpp3Dom> all = new ArrayList<>();
    if (plugin.getConfiguration() instanceof Xpp3Dom dom) {
      all.add(dom);
    }
    for (PluginExecution execution : plugin.getExecutions()) {
      if (execution.getConfiguration() instanceof Xpp3Dom dom) {
        all.add(dom);
      }
    }
    return all;
  }
}
