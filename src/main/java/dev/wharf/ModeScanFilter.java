package dev.wharf;

import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;
import org.springframework.core.type.classreading.MetadataReader;
import org.springframework.core.type.classreading.MetadataReaderFactory;
import org.springframework.core.type.filter.TypeFilter;

/** Leaves the control plane's classes ({@code dev.wharf.platform..}) out of the component scan in {@code node} mode. */
class ModeScanFilter implements TypeFilter, EnvironmentAware {

    static final String PLATFORM_PACKAGE = "dev.wharf.platform.";

    private Environment environment;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public boolean match(MetadataReader reader, MetadataReaderFactory factory) {
        return ModeEnvironment.isNode(environment) && reader.getClassMetadata().getClassName().startsWith(PLATFORM_PACKAGE);
    }
}
