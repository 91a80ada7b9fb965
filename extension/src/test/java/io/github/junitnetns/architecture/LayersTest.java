package io.github.junitnetns.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The layers of docs/architecture.md, checked on the compiled main classes: the wire format knows
 * only libc and address values, internals never reach up into the public API or the extension, and the public library
 * needs no JUnit.
 */
class LayersTest {
  private static final String ROOT = "io.github.junitnetns";
  private static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
      .importPackages(ROOT);

  @Test
  void internalsNeverUseThePublicApiOrTheExtension() {
    noClasses().that().resideInAPackage(ROOT + ".internal..")
        .should().dependOnClassesThat().resideInAnyPackage(ROOT, ROOT + ".jupiter..")
        .because("internal.* is the layer below the public API: a dependency upward is a cycle")
        .check(MAIN);
  }

  @Test
  void theWireFormatKnowsOnlyLibcAndAddresses() {
    noClasses().that().resideInAPackage(ROOT + ".internal.netlink..")
        .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".internal.ns..", ROOT + ".internal.client..", ROOT + ".internal.process..", ROOT + ".internal.topology..")
        .because("internal.netlink encodes and decodes messages; operations belong to internal.client")
        .check(MAIN);
  }

  @Test
  void libcBindingsStandAlone() {
    noClasses().that().resideInAPackage(ROOT + ".internal.linux..")
        .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".internal.net..", ROOT + ".internal.netlink..",
            ROOT + ".internal.ns..", ROOT + ".internal.client..", ROOT + ".internal.process..",
            ROOT + ".internal.topology..")
        .check(MAIN);
  }

  @Test
  void addressesAndTopologyValuesStandAlone() {
    noClasses().that().resideInAnyPackage(ROOT + ".internal.net..", ROOT + ".internal.topology..")
        .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".internal.linux..", ROOT + ".internal.netlink..",
            ROOT + ".internal.ns..", ROOT + ".internal.client..", ROOT + ".internal.process..")
        .because("plans and addresses are values, checked before any kernel object exists")
        .check(MAIN);
  }

  @Test
  void theWrapperWriterStandsAlone() {
    classes().that().resideInAPackage(ROOT + ".internal.launch..")
        .should().onlyDependOnClassesThat().resideInAnyPackage("java..", ROOT + ".internal.launch..")
        .because("internal.launch runs before any test JVM: compiled on its own by ci/ (JDK only), and in the"
            + " Maven plugin without JNA")
        .check(MAIN);
  }

  @Test
  void captureSitsOnTheNamespaceCore() {
    noClasses().that().resideInAPackage(ROOT + ".internal.capture..")
        .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".internal.process..", ROOT + ".internal.topology..",
            ROOT + ".internal.launch..")
        .because("internal.capture records namespaces: sockets from internal.linux, namespaces and carriers from"
            + " internal.ns, interface names from internal.client")
        .check(MAIN);
    noClasses().that().resideInAnyPackage(ROOT + ".internal.linux..", ROOT + ".internal.net..",
            ROOT + ".internal.netlink..", ROOT + ".internal.client..", ROOT + ".internal.ns..",
            ROOT + ".internal.process..", ROOT + ".internal.topology..")
        .should().dependOnClassesThat().resideInAPackage(ROOT + ".internal.capture..")
        .because("nothing below the capture layer records traffic")
        .check(MAIN);
  }

  @Test
  void theLibraryNeedsNoJUnit() {
    noClasses().that().resideInAnyPackage(ROOT, ROOT + ".internal..")
        .should().dependOnClassesThat().resideInAnyPackage("org.junit..", "org.opentest4j..", ROOT + ".jupiter..")
        .because("NetNs and Network are usable from TestNG, Spock, Kotest or a main")
        .check(MAIN);
  }

  @Test
  void namesStandAlone() {
    noClasses().that().resideInAPackage(ROOT + ".internal.names..")
        .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".internal.linux..", ROOT + ".internal.netlink..",
            ROOT + ".internal.ns..", ROOT + ".internal.client..", ROOT + ".internal.process..",
            ROOT + ".internal.topology..", "com.sun.jna..")
        .because("the JVM's resolver calls internal.names on every lookup: it reads tables, and loads no JNA")
        .check(MAIN);
  }
}
