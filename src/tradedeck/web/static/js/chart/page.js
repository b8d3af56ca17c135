// Entry module of /chart and of any page embedding charts through data-chart-config.
import { mountAll } from "./index.js";

mountAll();
