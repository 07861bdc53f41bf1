package org.cachefs.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cachefs-bom/pom.xml} against the parent pom and the modules' poms: the BOM manages every published module
 * (a module of the parent whose pom does not skip deployment) at the project's version, nothing else, and carries
 * the parent's version and metadata, as it has no parent to inherit them from; the README imports it as it is.
 */
class BomTest
{
    private static final String BOM = "cachefs-bom";

    private static Path root;
    private static Element parent;
    private static Element bom;

    @BeforeAll
    static void readThePoms() throws Exception
    {
        final String property = System.getProperty("cachefs.repo.root");
        assertThat(property).as("system property cachefs.repo.root (set by the build)").isNotNull();
        root = Path.of(property);
        parent = read(root.resolve("pom.xml"));
        bom = read(root.resolve(BOM).resolve("pom.xml"));
    }

    @Test
    void managesEveryPublishedModuleAtTheProjectVersion() throws Exception
    {
        final List<String> modules = texts(child(parent, "modules"), "module");
        assertThat(modules).contains(BOM, "benchmarks");
        final List<String> published = new ArrayList<>();
        for (final String module : modules)
        {
            final Element pom = read(root.resolve(module).resolve("pom.xml"));
            assertThat(text(pom, "artifactId")).as(module + "/pom.xml artifactId").isEqualTo(module);
            final Element properties = child(pom, "properties");
            final boolean skipsDeploy = properties != null && "true".equals(text(properties, "maven.deploy.skip"));
            if (!skipsDeploy && !module.equals(BOM))
            {
                published.add(module);
            }
        }
        assertThat(published).containsExactly("cachefs-format", "cachefs-core", "cachefs-tools", "cachefs-hadoop");

        final List<String> managed = new ArrayList<>();
        for (final Element dependency : children(child(child(bom, "dependencyManagement"), "dependencies"),
            "dependency"))
        {
            assertThat(text(dependency, "groupId")).isEqualTo("org.cachefs");
            assertThat(text(dependency, "version")).isEqualTo("${project.version}");
            assertThat(child(dependency, "type")).as("type of " + text(dependency, "artifactId")).isNull();
            assertThat(child(dependency, "scope")).as("scope of " + text(dependency, "artifactId")).isNull();
            managed.add(text(dependency, "artifactId"));
        }
        assertThat(managed).containsExactlyElementsOf(published);
    }

    @Test
    void hasTheParentsCoordinatesAndNoParent()
    {
        assertThat(child(bom, "parent")).isNull();
        assertThat(text(bom, "packaging")).isEqualTo("pom");
        assertThat(text(bom, "groupId")).isEqualTo(text(parent, "groupId"));
        assertThat(text(bom, "version")).isEqualTo(text(parent, "version")).isEqualTo(ToolOutput.expectedVersion());
        assertThat(child(bom, "dependencies")).isNull();
    }

    @Test
    void hasTheParentsMetadata()
    {
        for (final String element : List.of("url", "inceptionYear", "organization", "licenses", "developers", "scm"))
        {
            assertThat(normalised(child(bom, element))).as(element)
                .isNotEmpty()
                .isEqualTo(normalised(child(parent, element)));
        }
    }

    @Test
    void theReadmeImportsItAtTheProjectVersion() throws IOException
    {
        final String readme = Files.readString(root.resolve("README.md"));
        final String version = ToolOutput.expectedVersion();

        assertThat(readme).contains("      <groupId>org.cachefs</groupId>\n" +
            "      <artifactId>cachefs-bom</artifactId>\n" +
            "      <version>" + version + "</version>\n" +
            "      <type>pom</type>\n" +
            "      <scope>import</scope>\n");
        assertThat(readme).contains("`cachefs-tools/target/cachefs-tools-" + version + "-all.jar`");
    }

    private static Element read(final Path pom) throws ParserConfigurationException, SAXException, IOException
    {
        final DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(false);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        final Document document = factory.newDocumentBuilder().parse(pom.toFile());
        return document.getDocumentElement();
    }

    /**
     * @return the first child element of {@code element} named {@code name}, or null if it has none.
     */
    private static Element child(final Element element, final String name)
    {
        final List<Element> children = children(element, name);
        return children.isEmpty() ? null : children.get(0);
    }

    private static List<Element> children(final Element element, final String name)
    {
        final List<Element> children = new ArrayList<>();
        for (Node node = element.getFirstChild(); node != null; node = node.getNextSibling())
        {
            if (node instanceof Element && node.getNodeName().equals(name))
            {
                children.add((Element)node);
            }
        }
        return children;
    }

    private static String text(final Element element, final String name)
    {
        final Element child = child(element, name);
        return child == null ? null : child.getTextContent().trim();
    }

    private static List<String> texts(final Element element, final String name)
    {
        final List<String> texts = new ArrayList<>();
        for (final Element child : children(element, name))
        {
            texts.add(child.getTextContent().trim());
        }
        return texts;
    }

    /**
     * @return the text of {@code element} and its descendants with runs of white space made one space, or "" for
     * null; the inheritance attributes of the parent's {@code scm} are left out, as text only is compared.
     */
    private static String normalised(final Element element)
    {
        return element == null ? "" : element.getTextContent().trim().replaceAll("\\s+", " ");
    }
}
